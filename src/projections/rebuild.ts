import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { comparePositions, formatPosition, START, type EventStore } from '../store/port.js';
import { readCheckpoint, resetCheckpoint } from './checkpoints.js';
import { applyBatch, clearParked, type ParkedEvent } from './parking.js';
import type { Projection } from './projection.js';

export interface RebuildProgress {
  readonly projection: string;
  readonly events: number;
  readonly position: string;
  /** Events set aside so far, because the projection cannot apply them (docs/projections.md). */
  readonly parked: number;
  readonly done: boolean;
}

/**
 * Empties a read model and replays the whole log into it. A projector
 * running elsewhere notices the moved checkpoint and follows from there, so
 * a rebuild may run while the service does.
 */
export async function rebuildProjection(
  db: Kysely<Database>,
  store: EventStore,
  projection: Projection,
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void; onParked?: (parked: ParkedEvent) => void } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 2000;
  const handles = new Set(projection.canHandle);
  await db.transaction().execute(async (trx) => {
    await resetCheckpoint(trx, projection.name);
    await projection.reset(trx);
    // What was parked is met again in the replay: parked anew if it still cannot be applied.
    await clearParked(trx, projection.name);
  });
  const head = await store.headPosition();
  let position = START;
  let events = 0;
  let parked = 0;
  // The next batch is read while this one is applied: the replay waits on
  // round trips, not on either machine's CPU.
  const read = (from: typeof position) => {
    const batch = store.readAll({ from, limit: batchSize });
    batch.catch(() => undefined); // awaited below; an early failure must not count as unhandled
    return batch;
  };
  let next = read(position);
  while (comparePositions(position, head) < 0) {
    const batch = await next;
    const last = batch.at(-1);
    if (!last) break;
    next = read(last.position);
    const from = position;
    const handled = batch.filter((e) => handles.has(e.type));
    const outcome = await applyBatch(db, projection, from, last.position, handled);
    if (outcome.moved) {
      position = last.position;
      parked += outcome.parked.length;
      for (const event of outcome.parked) options.onParked?.(event);
    }
    else {
      // A running projector took over the replay; it carries on from its checkpoint.
      position = await readCheckpoint(db, projection.name);
      next = read(position);
    }
    events += batch.length;
    options.onProgress?.({ projection: projection.name, events, position: formatPosition(position), parked, done: false });
  }
  options.onProgress?.({ projection: projection.name, events, position: formatPosition(position), parked, done: true });
  return events;
}
