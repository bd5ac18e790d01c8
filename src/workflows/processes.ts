import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { ContactStreams } from '../events/identity/contact.js';
import type { EmailSender } from '../jobs/providers/email.js';
import type { SmsSender } from '../jobs/providers/sms.js';
import type { JobQueue, JobRegistry, Logger } from '../jobs/queue.js';
import type { Projection } from '../projections/projection.js';
import type { CatalogedEventStore } from '../store/cataloged.js';
import type { EventStore } from '../store/port.js';

/** What a capability's reactors and periodic tasks need, in the projector role: reactors turn events into jobs. */
export interface ReactorContext {
  readonly jobs: JobQueue;
  /** The store, with the log as written (`raw`): the audit's periodic task anchors it. */
  readonly store: CatalogedEventStore;
  readonly config: Config;
  readonly now: () => Date;
  readonly logger: Logger;
}

/** What a capability's job handlers need: they do the work, in the worker role. */
export interface WorkerContext {
  readonly db: Kysely<Database>;
  readonly store: EventStore;
  readonly config: Config;
  readonly codeSecret: Buffer;
  /** A code's destination is kept by its pseudonym. */
  readonly contacts: ContactStreams;
  readonly sms: SmsSender;
  readonly email: EmailSender;
  readonly now: () => Date;
  readonly logger: Logger;
}

/** Work the clock starts (every `everyMs`, in the projector role): a run that fails is tried again at the next tick. */
export interface Periodic {
  readonly name: string;
  readonly everyMs: number;
  readonly run: () => Promise<void>;
}

/**
 * A capability's processes (src/workflows/<capability>/index.ts): reactors
 * follow the log like projections and enqueue jobs; the jobs' handlers run
 * them; periodic tasks run on the clock.
 */
export interface Processes {
  readonly reactors: (context: ReactorContext) => readonly Projection[];
  readonly jobs: (context: WorkerContext) => JobRegistry;
  readonly periodic?: (context: ReactorContext) => readonly Periodic[];
}
