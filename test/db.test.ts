import t from 'tap';
import { sql } from 'kysely';
import { databaseKinds, freshConnection } from './helpers/databases.js';
import { migrateToLatest } from '../src/db/migrate.js';

for (const kind of databaseKinds) {
  t.test(`migrations on ${kind}`, async (t) => {
    const { db } = await freshConnection(t, kind);
    t.same(await migrateToLatest(db), [], 'a second run applies nothing');
    const { rows } = await sql<{ x: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as x`.execute(db);
    t.match(rows[0]?.x, /^\d+$/, 'the snapshot functions the event store relies on exist');
  });
}
