import { sql } from 'kysely';
import t from 'tap';
import { connect } from '../../src/db/connect.js';
import { freshPgliteDir } from '../helpers/databases.js';

// The embedded default's memory (README, "The two commands"): PGlite runs
// with 16 MB of shared buffers instead of the 128 MB its initdb configures,
// which it would otherwise grow its WASM heap to and touch at start.

t.test('PGlite runs with 16 MB of shared buffers', async (t) => {
  const { db } = connect({ kind: 'pglite', dataDir: await freshPgliteDir(t) });
  t.teardown(() => db.destroy());
  const { rows } = await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(db);
  t.equal(rows[0]?.shared_buffers, '16MB');
});
