import type { Kysely } from 'kysely';
import { capabilities } from '../capabilities.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { JobQueue, Logger } from '../jobs/queue.js';
import { readCheckpoints } from '../projections/checkpoints.js';
import { listParked } from '../projections/parking.js';
import type { Projection } from '../projections/projection.js';
import type { CatalogedEventStore } from '../store/cataloged.js';
import { formatPosition, START, type EventStore, type Position } from '../store/port.js';
import { formatCount, type Count, type LogCounter } from './log-counts.js';

// `projections status`: every follower of the log the projector runs, as
// /health/ready lists them: the read models and the reactors (which turn
// events into jobs), each with its checkpoint and how far behind it is.
//
// Behind, in events: those after its checkpoint up to the head of the log.
// Behind, in seconds: how long ago the oldest event it has not applied yet
// was recorded (0 when it is caught up). Unlike "newest event's time minus
// the checkpoint event's time", this does not call one fresh event after an
// idle night "hours behind", and it grows while a stuck follower waits.

export interface FollowerStatus {
  readonly name: string;
  readonly kind: 'read model' | 'reactor';
  readonly checkpoint: Position;
  readonly eventsBehind: Count;
  readonly secondsBehind: number;
  readonly parked: number;
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A queue that takes no job: reactors are built here for their names only, never run. */
const noJobs: JobQueue = {
  enqueue: () => Promise.reject(new Error('projections status runs no reactor')),
  remove: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/** The reactors the projector role runs (src/compose.ts), in the same order. */
export function reactorsOf(config: Config, store: CatalogedEventStore): readonly Projection[] {
  return capabilities.flatMap((c) => c.processes?.reactors({ jobs: noJobs, store, config, now: () => new Date(), logger: quiet }) ?? []);
}

export async function followerStatuses(deps: {
  readonly db: Kysely<Database>;
  /** The log as stored: only positions and times are read. */
  readonly raw: EventStore;
  readonly counter: LogCounter;
  readonly readModels: readonly Projection[];
  readonly reactors: readonly Projection[];
  readonly now: () => Date;
}): Promise<FollowerStatus[]> {
  const [checkpoints, parked, head] = await Promise.all([readCheckpoints(deps.db), listParked(deps.db), deps.raw.headPosition()]);
  const followers = [...deps.readModels.map((p) => ({ name: p.name, kind: 'read model' as const })), ...deps.reactors.map((p) => ({ name: p.name, kind: 'reactor' as const }))];
  return Promise.all(
    followers.map(async ({ name, kind }) => {
      const checkpoint = checkpoints.get(name) ?? START;
      const [eventsBehind, [oldestPending]] = await Promise.all([deps.counter.between(checkpoint, head), deps.raw.readAll({ from: checkpoint, limit: 1 })]);
      const secondsBehind = eventsBehind.events > 0 && oldestPending ? Math.max(0, Math.round((deps.now().getTime() - oldestPending.createdAt.getTime()) / 1000)) : 0;
      return { name, kind, checkpoint, eventsBehind, secondsBehind, parked: parked.filter((e) => e.projection === name).length };
    }),
  );
}

/** One tab-separated line per follower, under a header: name, kind, checkpoint, events behind, seconds behind, parked. */
export function statusTable(statuses: readonly FollowerStatus[]): string {
  const rows = statuses.map((s) => [s.name, s.kind, formatPosition(s.checkpoint), formatCount(s.eventsBehind), String(s.secondsBehind), String(s.parked)]);
  return [['name', 'kind', 'checkpoint', 'events_behind', 'seconds_behind', 'parked'], ...rows].map((row) => row.join('\t')).join('\n');
}
