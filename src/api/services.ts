import type { Kysely } from 'kysely';
import type { TokenService } from '../auth/tokens.js';
import type { CommandHandler } from '../commands/handler.js';
import type { Database } from '../db/database.js';
import type { AwaitProjections } from '../projections/read-your-writes.js';
import type { ProjectionStatus } from '../projections/runner.js';
import type { EventStore } from '../store/port.js';

/** What the routes need, wired explicitly by the composition root (src/main.ts) or a test. */
export interface Services {
  readonly db: Kysely<Database>;
  readonly store: EventStore;
  readonly handle: CommandHandler;
  readonly tokens: TokenService;
  readonly awaitProjections: AwaitProjections;
  /** Normalises a phone number to E.164, or undefined when it is not a valid number. */
  readonly normalizePhone: (input: string) => string | undefined;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Readiness checks beyond the database and the event store (Redis, ...). */
  readonly readiness: Readonly<Record<string, () => Promise<void>>>;
  readonly projectionStatus: () => ProjectionStatus[];
}
