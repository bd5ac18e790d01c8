import t from 'tap';
import { person } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';

// Every history read appends an audit event: a caller may read so many a
// minute (RATE_LIMIT_HISTORY_READS); past it the read is refused with 429
// and nothing is appended, while the reads served stay audited.

t.test('history reads past the per-caller limit are refused with 429 and not audited', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => new Date(clock), env: { RATE_LIMIT_HISTORY_READS: '3' } });
  const { app } = runtime;
  const me = await person(runtime, '+79517586600');
  const other = await person(runtime, '+79517586601');
  const audited = async () =>
    (await runtime.connection.db.selectFrom('events').select('type').where('type', '=', 'ClientHistoryViewed').execute()).length;

  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push(await call(app, 'GET', `/api/v1/clients/${me.id}/history`, { token: me.token }));
  t.same(statuses.map((r) => r.status), [200, 200, 200, 429, 429, 429]);
  t.equal(statuses[3]!.headers['retry-after'], '60');
  t.match(statuses[3]!.body.detail, /Too many history reads; try again in 60 seconds/);
  t.equal(await audited(), 3, 'the three reads served are audited; the refused ones appended nothing');

  const parallel = await Promise.all(Array.from({ length: 10 }, () => call(app, 'GET', `/api/v1/clients/${other.id}/history`, { token: other.token })));
  t.equal(parallel.filter((r) => r.status === 200).length, 3, 'in parallel too, three per caller');
  t.equal(await audited(), 6);

  clock += 60_000;
  t.equal((await call(app, 'GET', `/api/v1/clients/${me.id}/history`, { token: me.token })).status, 200, 'a minute later the caller reads again');
  t.equal(await audited(), 7, 'and that read is audited');
});
