import t from 'tap';
import { passwordWork, passwordWorkDone } from '../../src/auth/passwords.js';
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

t.test('a full argon2 queue (PASSWORD_HASH_QUEUE) answers 503 with Retry-After, records nothing and counts no failure', async (t) => {
  const runtime = await startRuntime(t, { env: { PASSWORD_HASH_QUEUE: '2' } });
  const { app } = runtime;
  await person(runtime, phone);
  // Every core busy and two waiting: the work of people who came first, held until released.
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = Array.from({ length: passwordWork.concurrency + 2 }, () => passwordWork(() => gate));
  while (passwordWork.activeCount < passwordWork.concurrency) await new Promise((resolve) => setImmediate(resolve));
  t.equal(passwordWork.pendingCount, 2, 'the queue is full');

  const before = await eventCount(runtime);
  const phones = Array.from({ length: 8 }, (_, i) => `+79517586${400 + i}`);
  const registrations = await Promise.all(phones.map((p) => call(app, 'POST', '/api/v1/auth/register', { body: { phone: p, password: 'a-long-password' } })));
  t.same(registrations.map((r) => r.status), Array(8).fill(503), 'registrations are turned away');
  t.ok(registrations.every((r) => r.headers['retry-after'] === '1'), 'each 503 says when to come back');
  t.same(registrations[0]!.body, { detail: 'The server is busy; try again in 1 seconds.' });
  const logins = [];
  for (let i = 0; i < 6; i++) logins.push((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: `wrong-${i}` } })).status);
  t.same(logins, Array(6).fill(503), 'logins too, without a verdict');
  t.equal(await eventCount(runtime), before, 'nothing recorded');
  t.equal(passwordWork.pendingCount, 2, 'and nothing more queued');

  release();
  await Promise.all(held);
  t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: phones[0], password: 'a-long-password' } })).status >= 300, false, 'a turned-away registration took no send quota');
  const after = [];
  for (let i = 0; i < 6; i++) after.push((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: `wrong-${i}` } })).status);
  t.same(after, [401, 401, 401, 401, 401, 429], 'the turned-away logins were not counted as failures');
});

t.test('a flood of parallel registrations with a tiny queue: only 201 and 503, no trace of the turned away', async (t) => {
  const runtime = await startRuntime(t, { env: { PASSWORD_HASH_QUEUE: '0' } });
  const { app } = runtime;
  const before = await eventCount(runtime);
  const phones = Array.from({ length: 24 }, (_, i) => `+79517586${500 + i}`);
  const replies = await Promise.all(phones.map((p) => call(app, 'POST', '/api/v1/auth/register', { body: { phone: p, password: 'a-long-password' } })));
  const statuses = tally(replies.map((r) => r.status));
  // 202: registered, the read model behind the wait (a busy machine).
  t.ok(Object.keys(statuses).every((s) => ['201', '202', '503'].includes(s)), `only registrations and 503s (${JSON.stringify(statuses)})`);
  t.equal(await eventCount(runtime), before + 2 * ((statuses[201] ?? 0) + (statuses[202] ?? 0)), 'two events per registration, none for the turned away');
});
