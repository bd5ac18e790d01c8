import t from 'tap';
import { call, startRuntime } from '../helpers/runtime.js';

t.test('a read model that lags past the read-your-writes wait gives 202 with the id, never a 5xx', async (t) => {
  const runtime = await startRuntime(t, { env: { READ_YOUR_WRITES_TIMEOUT_MS: '0' } });
  await Promise.all(runtime.runners.map((r) => r.stop()));
  const created = await call(runtime.app, 'POST', '/api/v1/users', { body: { email: 'late@clinic.test', password: 'staff-password' } });
  t.equal(created.status, 202);
  t.match(created.body, { detail: /saved and will be visible/, id: /^[0-9a-f-]{36}$/ });
  t.equal(created.headers['retry-after'], '1');
  const events = await runtime.connection.db.selectFrom('events').select('type').where('type', '=', 'UserRegistered').execute();
  t.equal(events.length, 1, 'the command itself succeeded');
});
