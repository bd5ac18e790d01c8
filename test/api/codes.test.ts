import t, { type Test } from 'tap';
import { clientStream } from '../../src/events/clients/client.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { person, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// Phone verification and passwordless login, through HTTP, with BullMQ on
// real Redis and a running worker sending through the console provider.

const password = 'client1client1';

/** Registers a fresh phone and returns it, the registration reply and the code the worker sent. */
async function givenRegistered(t: Test, runtime: TestRuntime, body: Record<string, unknown> = {}) {
  const phone = uniquePhone();
  const from = runtime.logs.length;
  const created = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone, ...body } });
  t.equal(created.status, 201);
  return { phone, created, code: await smsCode(runtime, phone, from) };
}

const wrongOf = (code: string) => (code === '000000' ? '111111' : '000000');

t.test('phone verification and passwordless login, with BullMQ on Redis', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { redis: true, now: () => new Date(clock) });
  const { app } = runtime;
  const verify = (phone: string, code: string) => call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } });
  /** …and verified with the code. */
  const givenVerified = async (t: Test) => {
    const registered = await givenRegistered(t, runtime, { password });
    t.equal((await verify(registered.phone, registered.code)).status, 200);
    return registered;
  };

  t.test('a registration is 201 with the code’s lifetime, and a six-digit code goes by SMS', async (t) => {
    const { created, code } = await givenRegistered(t, runtime, { password });
    t.equal(created.body.expires_in, 300);
    t.match(code, /^\d{6}$/);
  });

  t.test('a wrong code is 400', async (t) => {
    const { phone, code } = await givenRegistered(t, runtime, { password });
    const wrong = await verify(phone, wrongOf(code));
    t.equal(wrong.status, 400);
    t.same(wrong.body, { detail: 'Invalid code.', errors: { code: ['The code is not valid.'] } });
  });

  t.test('the right code verifies the phone: confirmed in the profile', async (t) => {
    const { phone, code } = await givenRegistered(t, runtime, { password });
    const verified = await verify(phone, code);
    t.equal(verified.status, 200);
    t.same(verified.body, { detail: 'Phone number verified.' });
    const login = await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: login.body.access });
    t.equal(me.body.confirmed_phone, true);
  });

  t.test('a code is single use', async (t) => {
    const { phone, code } = await givenVerified(t);
    t.equal((await verify(phone, code)).status, 400, 'a code is single use');
  });

  t.test('verifying records ownership in the phone stream, then the verification in the account', async (t) => {
    const { phone, created } = await givenVerified(t);
    const account = clientStream(created.body.client_id as string);
    const events = await runtime.connection.db.selectFrom('events').select(['stream_id', 'type']).where('stream_id', 'in', [account, runtime.deps.contacts.phone(phone)]).orderBy('global_position').execute();
    t.same(events.map((e) => [e.stream_id, e.type]), [[account, 'ClientRegistered'], [account, 'PhoneVerificationRequested'], [runtime.deps.contacts.phone(phone), 'ContactOwned'], [account, 'PhoneVerified']], 'ownership is recorded in the phone stream, then the verification in the account');
  });

  t.test('a resend to a verified phone gets the usual answer and no new code', async (t) => {
    const { phone, created } = await givenVerified(t);
    clock += 61_000;
    const resend = await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } });
    t.equal(resend.status, 202, 'the same answer as for any phone');
    t.same(await streamTypes(runtime, clientStream(created.body.client_id as string)), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified'], 'a verified phone gets no new code');
  });

  const loginCode = (phone: string) => call(app, 'POST', '/api/v1/auth/login/code', { body: { phone } });
  const loginVerify = (phone: string, code: string) => call(app, 'POST', '/api/v1/auth/login/verify', { body: { phone, code } });

  t.test('a login code request answers alike for unknown, unverified and verified numbers', async (t) => {
    const { phone } = await person(runtime, uniquePhone());
    const unverified = await givenRegistered(t, runtime, { password });
    const unknown = await loginCode(uniquePhone());
    const toUnverified = await loginCode(unverified.phone);
    const known = await loginCode(phone);
    t.equal(unknown.status, 200);
    t.same(unknown.body, known.body, 'the reply does not tell whether the number is registered');
    t.same(toUnverified.body, known.body, 'nor whether it is verified');
  });

  t.test('an unverified phone is sent no login code', async (t) => {
    const unverified = await givenRegistered(t, runtime, { password });
    t.equal((await loginCode(unverified.phone)).status, 200);
    t.same(await streamTypes(runtime, clientStream(unverified.created.body.client_id as string)), ['ClientRegistered', 'PhoneVerificationRequested'], 'an unverified phone is sent no login code');
  });

  t.test('login codes have a cooldown, for unknown numbers too', async (t) => {
    const { phone } = await person(runtime, uniquePhone());
    const stranger = uniquePhone();
    t.equal((await loginCode(stranger)).status, 200);
    t.equal((await loginCode(phone)).status, 200);
    t.equal((await loginCode(stranger)).status, 429, 'unknown numbers have the cooldown too');
    t.equal((await loginCode(phone)).status, 429);
  });

  t.test('no SMS goes to an unknown number', async (t) => {
    const { phone } = await person(runtime, uniquePhone());
    const stranger = uniquePhone();
    t.equal((await loginCode(stranger)).status, 200);
    const from = runtime.logs.length;
    t.equal((await loginCode(phone)).status, 200);
    await smsCode(runtime, phone, from);
    t.notOk(runtime.logs.some((line) => line.includes(stranger) && line.includes('sms (console')), 'no SMS to an unknown number');
  });

  /** A verified person who asked for a login code; returns them and the code. */
  const givenLoginCode = async (t: Test) => {
    const client = await person(runtime, uniquePhone());
    const from = runtime.logs.length;
    t.equal((await loginCode(client.phone)).status, 200);
    return { client, code: await smsCode(runtime, client.phone, from) };
  };

  t.test('the login code opens the account that owns the phone', async (t) => {
    const { client, code } = await givenLoginCode(t);
    const tokens = await loginVerify(client.phone, code);
    t.equal(tokens.status, 200);
    t.type(tokens.body.access, 'string');
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: tokens.body.access });
    t.match(me.body, { id: client.id, confirmed_phone: true }, 'the code opens the account that owns the phone');
  });

  t.test('a login code is single use', async (t) => {
    const { client, code } = await givenLoginCode(t);
    t.equal((await loginVerify(client.phone, code)).status, 200);
    t.equal((await loginVerify(client.phone, code)).status, 400, 'single use');
  });

  t.test('a login code opens no other number', async (t) => {
    const { code } = await givenLoginCode(t);
    t.equal((await loginVerify(uniquePhone(), code)).status, 400);
  });
});

t.test('codes: tries, expiry and resends', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const verify = (phone: string, code: string) => call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } });
  const resend = (phone: string) => call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } });

  t.test('a code verifies only the number it was sent to', async (t) => {
    const first = await givenRegistered(t, runtime);
    const other = await givenRegistered(t, runtime);
    const elsewhere = await verify(other.phone, first.code);
    t.equal(elsewhere.status, 400, 'P1’s code does not verify P2');
    t.same(elsewhere.body.errors, { code: ['The code is not valid.'] });
    t.equal((await verify(first.phone, first.code)).status, 200, 'it verifies P1');
  });

  t.test('the fifth wrong try kills the code: the sixth is refused even with the right code', async (t) => {
    const { phone, code } = await givenRegistered(t, runtime);
    const wrongCode = code === '123456' ? '654321' : '123456';
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push((await verify(phone, wrongCode)).body.errors.code[0]);
    t.same(replies.slice(0, 4), Array(4).fill('The code is not valid.'));
    t.equal(replies[4], 'Too many wrong codes; request a new one.');
    const sixth = await verify(phone, code);
    t.equal(sixth.status, 400);
    t.same(sixth.body.errors.code, ['Too many wrong codes; request a new one.'], 'the code is dead after 5 wrong tries');
  });

  t.test('a code expires after 5 minutes', async (t) => {
    const { phone } = await givenRegistered(t, runtime);
    clock = new Date(clock.getTime() + 61_000);
    const logLength = runtime.logs.length;
    t.equal((await resend(phone)).status, 202);
    const fresh = await smsCode(runtime, phone, logLength);
    clock = new Date(clock.getTime() + 5 * 60_000 + 1000);
    const expired = await verify(phone, fresh);
    t.same(expired.body.errors.code, ['The code has expired; request a new one.']);
  });

  t.test('concurrent guesses cannot exceed five tries', async (t) => {
    const { phone, code } = await givenRegistered(t, runtime);
    const guesses = Array.from({ length: 30 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    await Promise.all(guesses.map((guess) => verify(phone, guess)));
    const row = await runtime.connection.db.selectFrom('code_challenges').select('attempts').where('destination', '=', runtime.deps.contacts.destination(phone)).executeTakeFirstOrThrow();
    t.equal(row.attempts, 5, 'tries are counted atomically before comparing');
    t.equal((await verify(phone, code)).status, 400);
  });

  t.test('a resend inside 60 s is 429 with Retry-After', async (t) => {
    const { phone } = await givenRegistered(t, runtime);
    const early = await resend(phone);
    t.equal(early.status, 429);
    t.equal(early.headers['retry-after'], '60');
    t.match(early.body.detail, /try again in 60 seconds/);
  });

  t.test('at most 5 codes an hour per phone', async (t) => {
    const { phone } = await givenRegistered(t, runtime);
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      clock = new Date(clock.getTime() + 61_000);
      statuses.push((await resend(phone)).status);
    }
    t.same(statuses, [202, 202, 202, 202, 429], 'the registration and four resends make five codes in the hour');
  });

  t.test('a resend to an unknown number gets the same answer: the reply tells nothing', async (t) => {
    const unknown = await resend(uniquePhone());
    t.equal(unknown.status, 202, 'an unknown number gets the same answer: the reply tells nothing');
    t.same(unknown.body, { detail: 'If this phone number awaits verification, a new code has been sent to it.', expires_in: 300 });
  });
});

t.test('secrets never reach the event store, the jobs or the logs', async (t) => {
  // A world of its own: "anywhere" means everything this runtime wrote.
  const runtime = await startRuntime(t, { redis: true });
  const { app } = runtime;
  const { phone, code } = await givenRegistered(t, runtime, { password });
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } })).status, 200);
  const session = await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
  const rotated = await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: session.body.refresh } });
  t.equal(rotated.status, 200);
  const events = await runtime.connection.db.selectFrom('events').select(['data', 'metadata']).execute();
  const jobs = JSON.stringify(await runtime.jobs.failed());
  // The console provider's message is the one place a code may be printed.
  const logs = runtime.logs.filter((line) => !line.includes('sms (console provider'));
  const everything = JSON.stringify(events) + jobs + logs.join('\n');
  for (const secret of [code, password, session.body.access, session.body.refresh, rotated.body.access, rotated.body.refresh]) {
    t.notOk(everything.includes(secret), `no ${secret.slice(0, 6)}… anywhere`);
  }
  t.notMatch(everything, /argon2/);
  const challenge = await runtime.connection.db.selectFrom('code_challenges').select('code_hmac').executeTakeFirstOrThrow();
  t.notMatch(everything, challenge.code_hmac);
  t.not(challenge.code_hmac, code, 'only an HMAC of the code is stored');
});

t.test('per-IP cap on code-sending routes', async (t) => {
  const { app } = await startRuntime(t, { env: { RATE_LIMIT_CODE_REQUESTS_PER_IP: '2' } });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: `+7900000000${i}` }, headers: { 'x-forwarded-for': `203.0.113.${i}` } })).status);
  t.same(statuses, [200, 200, 429], 'X-Forwarded-For is not believed by default: anyone could send one');
});

t.test('behind a trusted proxy (TRUST_PROXY) the per-IP cap counts the forwarded client address', async (t) => {
  const { app } = await startRuntime(t, { env: { RATE_LIMIT_CODE_REQUESTS_PER_IP: '2', TRUST_PROXY: '127.0.0.1/8' } });
  const ask = (i: number, from: string) => call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: `+7900000001${i}` }, headers: { 'x-forwarded-for': from } });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await ask(i, `203.0.113.${i}`)).status);
  t.same(statuses, [200, 200, 200], 'three clients behind the proxy, one request each');
  const same = [(await ask(3, '198.51.100.7')).status, (await ask(4, '198.51.100.7')).status, (await ask(5, '198.51.100.7')).status];
  t.same(same, [200, 200, 429], 'one client behind the proxy is capped');
});

t.test('TRUST_PROXY as a hop count believes only that many proxies: a client cannot forge its way past the cap', async (t) => {
  const { app } = await startRuntime(t, { env: { RATE_LIMIT_CODE_REQUESTS_PER_IP: '2', TRUST_PROXY: '1' } });
  const statuses = [];
  // The one trusted proxy appends the address it saw; whatever the client wrote before it is not believed.
  for (let i = 0; i < 3; i++) statuses.push((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: `+7900000002${i}` }, headers: { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.50` } })).status);
  t.same(statuses, [200, 200, 429]);
  const another = await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: '+79000000029' }, headers: { 'x-forwarded-for': '10.9.9.9, 203.0.113.51' } });
  t.equal(another.status, 200, 'the address the proxy saw is the one counted');
});
