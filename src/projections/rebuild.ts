import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { comparePositions, formatPosition, START, type EventStore } from '../store/port.js';
import { advanceCheckpoint, readCheckpoint, resetCheckpoint } from './checkpoints.js';
import type { Projection } from './projection.js';

export interface RebuildProgress {
  readonly projection: string;
  readonly events: number;
  readonly position: string;
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
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 2000;
  const handles = new Set(projection.canHandle);
  await db.transaction().execute(async (trx) => {
    await resetCheckpoint(trx, projection.name);
    await projection.reset(trx);
  });
  const head = await store.headPosition();
  let position = START;
  let events = 0;
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
    const moved = await db.transaction().execute(async (trx) => {
      if (!(await advanceCheckpoint(trx, projection.name, from, last.position))) return false;
      if (handled.length > 0) await projection.apply(trx, handled);
      return true;
    });
    if (moved) position = last.position;
    else {
      // A running projector took over the replay; it carries on from its checkpoint.
      position = await readCheckpoint(db, projection.name);
      next = read(position);
    }
    events += batch.length;
    options.onProgress?.({ projection: projection.name, events, position: formatPosition(position), done: false });
  }
  options.onProgress?.({ projection: projection.name, events, position: formatPosition(position), done: true });
  return events;
}
