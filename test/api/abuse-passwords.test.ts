import t from 'tap';
import { passwordWorkDone } from '../../src/auth/passwords.js';
import { eventCount, person, PASSWORD } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';

// Password guessing and password floods, over HTTP. The lockout counts an
// attempt before argon2 runs, so parallel guesses cannot outrun it; the
// argon2 queue is bounded, so a flood is turned away with 503 instead of
// piling up work.

const phone = '+79517586300';
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }), {});

t.test('25 parallel wrong passwords: 5 are verified, 20 refused with 429, and then the right password waits out the lock', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  await person(runtime, phone);
  const before = passwordWorkDone.verifications;
  const replies = await Promise.all(Array.from({ length: 25 }, (_, i) => call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: `wrong-${i}` } })));
  t.same(tally(replies.map((r) => r.status)), { 401: 5, 429: 20 });
  t.equal(passwordWorkDone.verifications - before, 5, 'argon2 judged five guesses, not thirteen');
  t.ok(replies.filter((r) => r.status === 429).every((r) => Number(r.headers['retry-after']) > 0));
  const right = await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: PASSWORD } });
  t.equal(right.status, 429, 'the right password is refused while locked');
  t.equal(passwordWorkDone.verifications - before, 5, 'and not even verified');
});

t.test('25 parallel wrong passwords to /auth/password/check and as current_password: 5 verified each', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const me = await person(runtime, phone);
  let before = passwordWorkDone.verifications;
  const checks = await Promise.all(Array.from({ length: 25 }, (_, i) => call(app, 'POST', '/api/v1/auth/password/check', { token: me.token, body: { password: `wrong-${i}` } })));
  t.same(tally(checks.map((r) => r.status)), { 200: 5, 429: 20 });
  t.equal(passwordWorkDone.verifications - before, 5);

  before = passwordWorkDone.verifications;
  const changes = await Promise.all(
    Array.from({ length: 25 }, (_, i) => call(app, 'PATCH', `/api/v1/clients/${me.id}/password`, { token: me.token, body: { password: 'a-new-password', current_password: `wrong-${i}` } })),
  );
  t.same(tally(changes.map((r) => r.status)), { 400: 5, 429: 20 });
  t.equal(passwordWorkDone.verifications - before, 5);
});

t.test('a right password before the fifth failure clears the count', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  await person(runtime, phone);
  for (let i = 0; i < 4; i++) await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'wrong' } });
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: PASSWORD } })).status, 200);
  const again = [];
  for (let i = 0; i < 5; i++) again.push((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'wrong' } })).status);
  t.same(again, [401, 401, 401, 401, 401], 'five fresh tries after a success');
});

t.test('a full argon2 queue (PASSWORD_HASH_QUEUE) answers 503 with Retry-After and records nothing', async (t) => {
  const runtime = await startRuntime(t, { env: { PASSWORD_HASH_QUEUE: '1' } });
  const { app } = runtime;
  const before = await eventCount(runtime);
  const phones = Array.from({ length: 24 }, (_, i) => `+79517586${400 + i}`);
  const replies = await Promise.all(phones.map((p) => call(app, 'POST', '/api/v1/auth/register', { body: { phone: p, password: 'a-long-password' } })));
  const statuses = tally(replies.map((r) => r.status));
  t.same(Object.keys(statuses).sort(), ['201', '503'], `only 201 and 503 (${JSON.stringify(statuses)})`);
  const busy = replies.filter((r) => r.status === 503);
  t.ok(busy.every((r) => r.headers['retry-after'] === '1'), 'every 503 says when to come back');
  t.same(busy[0]?.body, { detail: 'The server is busy; try again in 1 seconds.' });
  t.equal(await eventCount(runtime), before + 2 * (statuses[201] ?? 0), 'two events per registration, none for the turned away');
  const turnedAway = replies.map((r, i) => (r.status === 503 ? phones[i]! : undefined)).filter((p) => p !== undefined);
  const accounts = await runtime.connection.db.selectFrom('events').select('data').where('type', '=', 'ClientRegistered').execute();
  t.notOk(accounts.some((a) => turnedAway.includes((a.data as { phone: string }).phone)), 'no account for a turned-away phone');
  const retry = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: turnedAway[0], password: 'a-long-password' } });
  t.equal(retry.status, 201, 'a turned-away registration took no send quota: it succeeds when retried');
});
