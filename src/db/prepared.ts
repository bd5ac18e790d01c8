import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

/**
 * A pool whose parameterized statements run as named prepared statements, so
 * PostgreSQL parses and plans each SQL text once per connection instead of on
 * every execution (postgres.js does the same by default). A text keeps its
 * name for the life of the process; past `limit` distinct texts (IN lists and
 * multi-row inserts vary in length) new ones run unnamed, which bounds what
 * every connection holds. Statements without parameters (BEGIN, COMMIT,
 * migrations' DDL) keep the simple protocol, which also allows several
 * statements in one text.
 */
export function preparingPool(pool: pg.Pool, limit = 1_000): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < limit) names.set(text, (name = `kysely_${names.size + 1}`));
    return name;
  };

  function wrap(client: pg.PoolClient): PostgresPoolClient {
    // Kysely passes either SQL with its parameters or a pg-cursor (a Submittable) for streaming.
    function query(sqlOrCursor: string | object, parameters?: ReadonlyArray<unknown>) {
      if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
      const values = [...(parameters ?? [])];
      return client.query({ text: sqlOrCursor, values, name: values.length > 0 ? nameOf(sqlOrCursor) : undefined });
    }
    return { query: query as unknown as PostgresPoolClient['query'], release: () => client.release() };
  }

  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
