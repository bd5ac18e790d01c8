import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { formatPosition, type Position, type StoredEvent } from '../store/port.js';
import { advanceCheckpoint } from './checkpoints.js';
import type { Projection } from './projection.js';
import { isTransient } from '../store/outages.js';

// One event a projection cannot apply (data it was never meant to hold, a
// bug in its code) must not stop the read model for every organization: it
// is set aside ("parked", as Axon's dead-letter queue does) with the reason,
// the projection moves on, and the runner, the metrics and the CLI show it.
// A database that cannot answer is not such an event: that failure is
// thrown and retried from the checkpoint (transient.ts).

export interface ParkedEvent {
  readonly projection: string;
  readonly eventId: string;
  readonly position: string;
  readonly stream: string;
  readonly version: number;
  readonly type: string;
  readonly error: string;
}

export type BatchOutcome = { readonly moved: false } | { readonly moved: true; readonly parked: readonly ParkedEvent[] };

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

async function park(trx: Transaction<Database>, projection: string, event: StoredEvent, error: string): Promise<ParkedEvent> {
  const row = { projection, event_id: event.id, commit_position: event.position.commit.toString(), prepare_position: event.position.prepare.toString(), stream: event.stream, stream_version: event.version, type: event.type, error };
  await trx
    .insertInto('projection_parked_events')
    .values(row)
    .onConflict((oc) => oc.columns(['projection', 'event_id']).doUpdateSet({ error, parked_at: sql`now()` }))
    .execute();
  return { projection, eventId: event.id, position: formatPosition(event.position), stream: event.stream, version: event.version, type: event.type, error };
}

/**
 * Moves the checkpoint from `from` to `to` and applies `events`, in one
 * transaction; `moved: false` when another runner (or a rebuild) moved the
 * checkpoint first. When the batch fails for a reason of its own, it is
 * applied again event by event, each under a savepoint, and those that fail
 * are parked in the same transaction: parking commits only if everything
 * else of the batch does, so a lost connection parks nothing.
 */
export async function applyBatch(db: Kysely<Database>, projection: Projection, from: Position, to: Position, events: readonly StoredEvent[]): Promise<BatchOutcome> {
  try {
    const moved = await db.transaction().execute(async (trx) => {
      if (!(await advanceCheckpoint(trx, projection.name, from, to))) return false;
      if (events.length > 0) await projection.apply(trx, events);
      return true;
    });
    return moved ? { moved, parked: [] } : { moved };
  } catch (error) {
    if (events.length === 0 || !projection.parkUnappliable || isTransient(error)) throw error;
  }
  return db.transaction().execute(async (trx): Promise<BatchOutcome> => {
    if (!(await advanceCheckpoint(trx, projection.name, from, to))) return { moved: false };
    const parked: ParkedEvent[] = [];
    for (const event of events) {
      await sql`savepoint apply_one`.execute(trx);
      try {
        await projection.apply(trx, [event]);
        await sql`release savepoint apply_one`.execute(trx);
      } catch (error) {
        if (isTransient(error)) throw error;
        await sql`rollback to savepoint apply_one`.execute(trx);
        parked.push(await park(trx, projection.name, event, reasonOf(error)));
      }
    }
    return { moved: true, parked };
  });
}

export async function countParked(db: Kysely<Database>, projection: string): Promise<number> {
  const row = await db.selectFrom('projection_parked_events').select((eb) => eb.fn.countAll<string>().as('count')).where('projection', '=', projection).executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Parked events, oldest first; of one projection when named. */
export async function listParked(db: Kysely<Database>, projection?: string): Promise<(ParkedEvent & { readonly parkedAt: Date })[]> {
  let query = db.selectFrom('projection_parked_events').selectAll();
  if (projection) query = query.where('projection', '=', projection);
  const rows = await query.orderBy('commit_position').orderBy('prepare_position').orderBy('projection').execute();
  return rows.map((r) => ({
    projection: r.projection,
    eventId: r.event_id,
    position: `${r.commit_position}/${r.prepare_position}`,
    stream: r.stream,
    version: r.stream_version,
    type: r.type,
    error: r.error,
    parkedAt: r.parked_at,
  }));
}

/** Forgets a projection's parked events: a rebuild meets them again and parks those that still fail. */
export async function clearParked(trx: Transaction<Database>, projection: string): Promise<void> {
  await trx.deleteFrom('projection_parked_events').where('projection', '=', projection).execute();
}
