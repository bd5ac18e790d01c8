import t from 'tap';
import { sql } from 'kysely';
import { connect } from '../src/db/connect.js';
import { databaseKinds, freshConnection, freshPostgresUrl } from './helpers/databases.js';
import { migrateToLatest } from '../src/db/migrate.js';

for (const kind of databaseKinds) {
  t.test(`migrations on ${kind}`, async (t) => {
    const { db } = await freshConnection(t, kind);
    t.same(await migrateToLatest(db), [], 'a second run applies nothing');
    const { rows } = await sql<{ x: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as x`.execute(db);
    t.match(rows[0]?.x, /^\d+$/, 'the snapshot functions the event store relies on exist');
  });
}

t.test('on PostgreSQL, parameterized statements are prepared once per connection', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db } = connect({ kind: 'postgres', url, poolSize: 1 });
  t.teardown(() => db.destroy());
  const probe = (n: number) => sql<{ n: number }>`SELECT ${n}::int + 1 AS n`.execute(db);
  t.strictSame((await probe(1)).rows, [{ n: 2 }]);
  t.strictSame((await probe(41)).rows, [{ n: 42 }], 'the prepared statement runs with new values');
  const prepared = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE ${'%::int + 1 AS n'}`.execute(db);
  t.equal(prepared.rows.length, 1, 'one prepared statement for the text, not one per execution');

  await t.rejects(sql`SELECT nonsense FROM ${sql.table('no_such_table')} WHERE 1 = ${1}`.execute(db), 'a statement that fails to prepare fails as usual');
  t.strictSame((await probe(2)).rows, [{ n: 3 }], 'and leaves the connection usable');
  const { rows } = await sql<{ n: number }>`SELECT 1 AS n; SELECT 2 AS n`.execute(db);
  t.ok(Array.isArray(rows), 'several statements without parameters still run in one text (simple protocol)');
});
