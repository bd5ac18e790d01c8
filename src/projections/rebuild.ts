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
  while (comparePositions(position, head) < 0) {
    const batch = await store.readAll({ from: position, limit: batchSize });
    const last = batch.at(-1);
    if (!last) break;
    const from = position;
    const handled = batch.filter((e) => handles.has(e.type));
    const moved = await db.transaction().execute(async (trx) => {
      if (!(await advanceCheckpoint(trx, projection.name, from, last.position))) return false;
      if (handled.length > 0) await projection.apply(trx, handled);
      return true;
    });
    // A running projector took over the replay; it carries on from its checkpoint.
    if (!moved) position = await readCheckpoint(db, projection.name);
    else position = last.position;
    events += batch.length;
    options.onProgress?.({ projection: projection.name, events, position: formatPosition(position), done: false });
  }
  options.onProgress?.({ projection: projection.name, events, position: formatPosition(position), done: true });
  return events;
}
