import t, { type Test } from 'tap';
import { passwordWork, passwordWorkDone } from '../../src/auth/passwords.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { eventCount, person, PASSWORD } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// Password guessing and password floods, over HTTP. The lockout counts an
// attempt before argon2 runs, so parallel guesses cannot outrun it; the
// argon2 queue is bounded, so a flood is turned away with 503 instead of
// piling up work. Behaviours run one after another (tap's default), so the
// process-wide count of verifications moves only for the one running.

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }), {});
const parallel = <T>(n: number, make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => make(i)));

t.test('password guessing', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const login = (phone: string, password: string) => call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
  /** A person whose login took 25 wrong passwords at once. */
  const givenFlood = async () => {
    const { phone } = await person(runtime, uniquePhone());
    const before = passwordWorkDone.verifications;
    const replies = await parallel(25, (i) => login(phone, `wrong-${i}`));
    return { phone, before, replies };
  };

  t.test('25 parallel wrong passwords: 5 are verified, 20 refused with 429 and a Retry-After', async (t) => {
    const { before, replies } = await givenFlood();
    t.same(tally(replies.map((r) => r.status)), { 401: 5, 429: 20 });
    t.equal(passwordWorkDone.verifications - before, 5, 'argon2 judged five guesses, not thirteen');
    t.ok(replies.filter((r) => r.status === 429).every((r) => Number(r.headers['retry-after']) > 0));
  });

  t.test('after 25 parallel wrong passwords the right one waits out the lock, unverified', async (t) => {
    const { phone, before, replies } = await givenFlood();
    t.same(tally(replies.map((r) => r.status)), { 401: 5, 429: 20 });
    const right = await login(phone, PASSWORD);
    t.equal(right.status, 429, 'the right password is refused while locked');
    t.equal(passwordWorkDone.verifications - before, 5, 'and not even verified');
  });

  t.test('25 parallel wrong passwords to /auth/password/check: 5 verified', async (t) => {
    const me = await person(runtime, uniquePhone());
    const before = passwordWorkDone.verifications;
    const checks = await parallel(25, (i) => call(app, 'POST', '/api/v1/auth/password/check', { token: me.token, body: { password: `wrong-${i}` } }));
    t.same(tally(checks.map((r) => r.status)), { 200: 5, 429: 20 });
    t.equal(passwordWorkDone.verifications - before, 5);
  });

  t.test('25 parallel wrong passwords as current_password: 5 verified', async (t) => {
    const me = await person(runtime, uniquePhone());
    const before = passwordWorkDone.verifications;
    const changes = await parallel(25, (i) => call(app, 'PATCH', `/api/v1/clients/${me.id}/password`, { token: me.token, body: { password: 'a-new-password', current_password: `wrong-${i}` } }));
    t.same(tally(changes.map((r) => r.status)), { 400: 5, 429: 20 });
    t.equal(passwordWorkDone.verifications - before, 5);
  });

  t.test('a right password before the fifth failure clears the count', async (t) => {
    const { phone } = await person(runtime, uniquePhone());
    for (let i = 0; i < 4; i++) await login(phone, 'wrong');
    t.equal((await login(phone, PASSWORD)).status, 200);
    const again = [];
    for (let i = 0; i < 5; i++) again.push((await login(phone, 'wrong')).status);
    t.same(again, [401, 401, 401, 401, 401], 'five fresh tries after a success');
  });
});

t.test('a full argon2 queue (PASSWORD_HASH_QUEUE) answers 503 with Retry-After, records nothing and counts no failure', async (t) => {
  const runtime = await startRuntime(t, { env: { PASSWORD_HASH_QUEUE: '2' } });
  const { app } = runtime;
  const register = (phone: string) => call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: 'a-long-password' } });
  const logins = async (phone: string) => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: `wrong-${i}` } })).status);
    return statuses;
  };

  /**
   * A person, and the queue full: every core busy and two waiting, the work
   * of people who came first, held until `drain` (which each behaviour
   * calls, failed or not, so the next finds the queue empty).
   */
  const givenFullQueue = async (t: Test, runtime: TestRuntime) => {
    const { phone } = await person(runtime, uniquePhone());
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = Array.from({ length: passwordWork.concurrency + 2 }, () => passwordWork(() => gate));
    const drain = async () => {
      release();
      await Promise.all(held);
    };
    t.teardown(drain);
    while (passwordWork.activeCount < passwordWork.concurrency) await new Promise((resolve) => setImmediate(resolve));
    t.equal(passwordWork.pendingCount, 2, 'the queue is full');
    return { phone, drain, phones: Array.from({ length: 8 }, () => uniquePhone()) };
  };

  t.test('registrations are turned away with 503 and when to come back, and record nothing', async (t) => {
    const { phones } = await givenFullQueue(t, runtime);
    const before = await eventCount(runtime);
    const registrations = await Promise.all(phones.map(register));
    t.same(registrations.map((r) => r.status), Array(8).fill(503), 'registrations are turned away');
    t.ok(registrations.every((r) => r.headers['retry-after'] === '1'), 'each 503 says when to come back');
    t.same(registrations[0]!.body, { detail: 'The server is busy; try again in 1 seconds.' });
    t.equal(await eventCount(runtime), before, 'nothing recorded');
  });

  t.test('logins are turned away with 503, without a verdict, and queue nothing more', async (t) => {
    const { phone } = await givenFullQueue(t, runtime);
    const before = await eventCount(runtime);
    t.same(await logins(phone), Array(6).fill(503), 'logins too, without a verdict');
    t.equal(await eventCount(runtime), before, 'nothing recorded');
    t.equal(passwordWork.pendingCount, 2, 'and nothing more queued');
  });

  t.test('once the queue drains, a turned-away registration took no send quota', async (t) => {
    const { phones, drain } = await givenFullQueue(t, runtime);
    t.equal((await register(phones[0]!)).status, 503);
    await drain();
    t.equal((await register(phones[0]!)).status >= 300, false, 'a turned-away registration took no send quota');
  });

  t.test('once the queue drains, the turned-away logins were not counted as failures', async (t) => {
    const { phone, drain } = await givenFullQueue(t, runtime);
    t.same(await logins(phone), Array(6).fill(503));
    await drain();
    t.same(await logins(phone), [401, 401, 401, 401, 401, 429], 'the turned-away logins were not counted as failures');
  });
});

t.test('a flood of parallel registrations with a tiny queue: only 201 and 503, no trace of the turned away', async (t) => {
  const runtime = await startRuntime(t, { env: { PASSWORD_HASH_QUEUE: '0' } });
  const { app } = runtime;
  const before = await eventCount(runtime);
  const phones = Array.from({ length: 24 }, () => uniquePhone());
  const replies = await Promise.all(phones.map((p) => call(app, 'POST', '/api/v1/auth/register', { body: { phone: p, password: 'a-long-password' } })));
  const statuses = tally(replies.map((r) => r.status));
  // 202: registered, the read model behind the wait (a busy machine).
  t.ok(Object.keys(statuses).every((s) => ['201', '202', '503'].includes(s)), `only registrations and 503s (${JSON.stringify(statuses)})`);
  t.equal(await eventCount(runtime), before + 2 * ((statuses[201] ?? 0) + (statuses[202] ?? 0)), 'two events per registration, none for the turned away');
});
