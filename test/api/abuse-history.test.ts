import t from 'tap';
import { person } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// Every history read appends an audit event: a caller may read so many a
// minute (RATE_LIMIT_HISTORY_READS); past it the read is refused with 429
// and nothing is appended, while the reads served stay audited.

const env = { RATE_LIMIT_HISTORY_READS: '3' };
const at = Date.parse('2026-11-23T10:00:00Z');
const audited = async (runtime: TestRuntime) =>
  (await runtime.connection.db.selectFrom('events').select('type').where('type', '=', 'ClientHistoryViewed').execute()).length;
const history = (runtime: TestRuntime, who: { id: string; token: string }) => call(runtime.app, 'GET', `/api/v1/clients/${who.id}/history`, { token: who.token });

t.test('history reads within a minute', async (t) => {
  const runtime = await startRuntime(t, { now: () => new Date(at), env });

  t.test('past the per-caller limit are refused with 429 and not audited', async (t) => {
    const me = await person(runtime, '+79517586600');
    const before = await audited(runtime);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await history(runtime, me));
    t.same(statuses.map((r) => r.status), [200, 200, 200, 429, 429, 429]);
    t.equal(statuses[3]!.headers['retry-after'], '60');
    t.match(statuses[3]!.body.detail, /Too many history reads; try again in 60 seconds/);
    t.equal(await audited(runtime), before + 3, 'the three reads served are audited; the refused ones appended nothing');
  });

  t.test('in parallel are limited too, three per caller, each served one audited', async (t) => {
    const other = await person(runtime, '+79517586601');
    const before = await audited(runtime);
    const parallel = await Promise.all(Array.from({ length: 10 }, () => history(runtime, other)));
    t.equal(parallel.filter((r) => r.status === 200).length, 3, 'in parallel too, three per caller');
    t.equal(await audited(runtime), before + 3);
  });
});

t.test('a minute after reaching the limit the caller reads again, audited', async (t) => {
  let clock = at;
  const runtime = await startRuntime(t, { now: () => new Date(clock), env });
  const me = await person(runtime, '+79517586600');
  for (let i = 0; i < 3; i++) t.equal((await history(runtime, me)).status, 200, 'given the limit reached');
  t.equal((await history(runtime, me)).status, 429, 'and refused');
  const before = await audited(runtime);
  clock += 60_000;
  t.equal((await history(runtime, me)).status, 200, 'a minute later the caller reads again');
  t.equal(await audited(runtime), before + 1, 'and that read is audited');
});
