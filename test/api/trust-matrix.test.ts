import t from 'tap';
import { API_PREFIX } from '../../src/api/access.js';
import { matrix, walk, withHeads } from '../helpers/trust-matrix-table.js';
import { setUp } from '../helpers/trust-matrix-world.js';

// THE AUTHORIZATION MATRIX (docs/trust-model.md, README "API"), its first
// part: identity and sessions, a staff user's own account, a person's
// account and an organization's record of a client, and the links between
// them. Every row a behaviour, every cell (a caller on a target) one of its
// own; the rules are in test/helpers/trust-matrix-rules.ts, the table in
// trust-matrix-table.ts. Organizations, scheduling and booking are in
// trust-matrix-organizations.test.ts.

t.test('the authorization matrix: identity, accounts, clients and their links × every caller × own/foreign, linked/unlinked targets', async (t) => {
  const w = await setUp(t);
  const declared = w.runtime.app.declaredRoutes().map((r) => `${r.method} ${r.url}`);
  const { people, organizations } = matrix(w);

  t.test('the table names every declared route once, in one part or the other', async (t) => {
    const inTable = withHeads([...people, ...organizations], declared).map((r) => r.route);
    t.same(declared.filter((r) => r.split(' ')[1]!.startsWith(API_PREFIX) && !inTable.includes(r)), [], 'every declared /api/ route has its row in the matrix (add new routes to the table)');
    t.same(inTable.filter((r) => !declared.includes(r)), [], 'every row names a declared route');
    t.same(inTable.filter((r, i) => inTable.indexOf(r) !== i), [], 'one row per route');
  });

  walk(t, w, people, withHeads(people, declared));
});
