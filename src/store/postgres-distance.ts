import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { LogDistance } from './log-distance.js';
import { visible } from './postgres-rows.js';

/**
 * On PostgreSQL: counts the visible events after the position on the
 * (transaction_id, global_position) index, up to `limit`; past it the count
 * is estimated from global_position, a sequence (an estimate: a rolled back
 * append leaves a gap, and transactions commit out of sequence order). The
 * oldest waiting event's age is by the database's clock, the one that stamped it.
 */
export function postgresLogDistance(db: Kysely<Database>, limit = 100_000): LogDistance {
  return {
    async behind(from) {
      const after = sql`(transaction_id, global_position) > (${String(from.commit)}::text::xid8, ${String(from.prepare)}::bigint) AND ${visible}`;
      const { rows } = await sql<{ counted: number; seconds: number | null; last: string | null }>`
        SELECT
          (SELECT count(*) FROM (SELECT 1 FROM events WHERE ${after} LIMIT ${limit}) AS waiting)::int AS counted,
          (SELECT extract(epoch FROM statement_timestamp() - created_at)::float8 FROM events WHERE ${after} ORDER BY transaction_id, global_position LIMIT 1) AS seconds,
          (SELECT max(global_position)::text FROM events) AS last`.execute(db);
      const row = rows[0];
      if (!row || row.counted === 0) return { events: 0, seconds: 0 };
      const estimate = row.counted < limit || row.last === null ? row.counted : Math.max(limit, Number(BigInt(row.last) - from.prepare));
      return { events: estimate, seconds: Math.max(0, Number(row.seconds ?? 0)) };
    },
  };
}
