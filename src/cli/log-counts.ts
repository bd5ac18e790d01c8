import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { visible } from '../store/postgres-rows.js';
import { comparePositions, type EventStore, type Position } from '../store/port.js';

// How many events lie between two positions of the log: the total of a
// rebuild's or a verification's progress, and how far a projection or a
// reactor is behind. On the events table one count; on EventStoreDB, which
// cannot count, the events are read (as stored, nothing decrypted) up to a cap.

export interface Count {
  readonly events: number;
  /** True when counting stopped at the cap: there are at least `events`. */
  readonly atLeast: boolean;
}

export interface LogCounter {
  /** Events after `from` up to and including `upTo`. */
  between(from: Position, upTo: Position): Promise<Count>;
}

/** The events table (PostgreSQL or PGlite), as readers see it. */
export function tableCounter(db: Kysely<Database>): LogCounter {
  return {
    async between(from, upTo) {
      if (comparePositions(from, upTo) >= 0) return { events: 0, atLeast: false };
      const { rows } = await sql<{ n: string }>`
        SELECT count(*)::text AS n FROM events
        WHERE (transaction_id, global_position) > (${String(from.commit)}::text::xid8, ${String(from.prepare)}::bigint)
          AND (transaction_id, global_position) <= (${String(upTo.commit)}::text::xid8, ${String(upTo.prepare)}::bigint)
          AND ${visible}`.execute(db);
      return { events: Number(rows[0]?.n ?? 0), atLeast: false };
    },
  };
}

/** Any store (EventStoreDB): reads and counts, stopping at `cap` events. */
export function readingCounter(raw: EventStore, cap = 100_000, batchSize = 1000): LogCounter {
  return {
    async between(from, upTo) {
      let events = 0;
      for (let position = from; comparePositions(position, upTo) < 0 && events < cap; ) {
        const batch = (await raw.readAll({ from: position, limit: batchSize })).filter((e) => comparePositions(e.position, upTo) <= 0);
        if (batch.length === 0) break;
        events += batch.length;
        position = batch.at(-1)!.position;
      }
      return { events: Math.min(events, cap), atLeast: events >= cap };
    },
  };
}

export const formatCount = (count: Count) => `${count.events}${count.atLeast ? '+' : ''}`;
