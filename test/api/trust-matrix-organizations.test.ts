import t from 'tap';
import { matrix, walk, withHeads } from '../helpers/trust-matrix-table.js';
import { setUp } from '../helpers/trust-matrix-world.js';

// THE AUTHORIZATION MATRIX (docs/trust-model.md, README "API"), its second
// part: organizations, their client books, members and invitations; places,
// specialists, working hours and slots; booking and appointments; and the
// end of a staff account. Every row a behaviour, every cell (a caller on a
// target) one of its own. The first part, and the check that the table
// names every declared route, are in trust-matrix.test.ts.

t.test('the authorization matrix: organizations, scheduling and booking × every caller × own/foreign, linked/unlinked targets', async (t) => {
  const w = await setUp(t);
  const declared = w.runtime.app.declaredRoutes().map((r) => `${r.method} ${r.url}`);
  const { organizations } = matrix(w);
  walk(t, w, organizations, withHeads(organizations, declared));
});
