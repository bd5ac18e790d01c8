import t from 'tap';
import { clientStream } from '../../src/events/clients/client.js';
import { person, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';

// Phone verification and passwordless login, through HTTP, with BullMQ on
// real Redis and a running worker sending through the console provider.

const phone = '+79517586284';

t.test('register -> SMS -> verify: the phone is confirmed in the profile, and owned', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { redis: true, now: () => new Date(clock) });
  const { app } = runtime;
  const created = await call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: 'client1client1' } });
  t.equal(created.status, 201);
  t.equal(created.body.expires_in, 300);
  const code = await smsCode(runtime, phone);
  t.match(code, /^\d{6}$/);

  const wrong = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code: code === '000000' ? '111111' : '000000' } });
  t.equal(wrong.status, 400);
  t.same(wrong.body, { detail: 'Invalid code.', errors: { code: ['The code is not valid.'] } });

  const verified = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } });
  t.equal(verified.status, 200);
  t.same(verified.body, { detail: 'Phone number verified.' });
  const again = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } });
  t.equal(again.status, 400, 'a code is single use');

  const login = await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'client1client1' } });
  const me = await call(app, 'GET', '/api/v1/clients/me', { token: login.body.access });
  t.equal(me.body.confirmed_phone, true);
  const events = await runtime.connection.db.selectFrom('events').select(['stream_id', 'type']).where('stream_id', '!=', 'migration-trust-model').orderBy('global_position').execute();
  const account = clientStream(created.body.client_id as string);
  t.same(events.map((e) => [e.stream_id, e.type]), [[account, 'ClientRegistered'], [account, 'PhoneVerificationRequested'], [`phone-${phone}`, 'ContactOwned'], [account, 'PhoneVerified']], 'ownership is recorded in the phone stream, then the verification in the account');

  clock += 61_000;
  const resend = await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } });
  t.equal(resend.status, 202, 'the same answer as for any phone');
  t.same(await streamTypes(runtime, account), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified'], 'a verified phone gets no new code');
});

t.test('a code verifies only the number it was sent to', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const other = '+79517586285';
  const from = runtime.logs.length;
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone } });
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone: other } });
  const code = await smsCode(runtime, phone, from);
  await smsCode(runtime, other, from);
  const elsewhere = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: other, code } });
  t.equal(elsewhere.status, 400, 'P1’s code does not verify P2');
  t.same(elsewhere.body.errors, { code: ['The code is not valid.'] });
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } })).status, 200, 'it verifies P1');
});

t.test('the sixth try is refused even with the right code; a code expires after 5 minutes', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone } });
  const code = await smsCode(runtime, phone);
  const wrongCode = code === '123456' ? '654321' : '123456';
  const replies = [];
  for (let i = 0; i < 5; i++) replies.push((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code: wrongCode } })).body.errors.code[0]);
  t.same(replies.slice(0, 4), Array(4).fill('The code is not valid.'));
  t.equal(replies[4], 'Too many wrong codes; request a new one.');
  const sixth = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } });
  t.equal(sixth.status, 400);
  t.same(sixth.body.errors.code, ['Too many wrong codes; request a new one.'], 'the code is dead after 5 wrong tries');

  clock = new Date(clock.getTime() + 61_000);
  const logLength = runtime.logs.length;
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } })).status, 202);
  const fresh = await smsCode(runtime, phone, logLength);
  clock = new Date(clock.getTime() + 5 * 60_000 + 1000);
  const expired = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code: fresh } });
  t.same(expired.body.errors.code, ['The code has expired; request a new one.']);
});

t.test('concurrent guesses cannot exceed five tries', async (t) => {
  const runtime = await startRuntime(t);
  await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone } });
  const code = await smsCode(runtime, phone);
  const guesses = Array.from({ length: 30 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
  await Promise.all(guesses.map((guess) => call(runtime.app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code: guess } })));
  const row = await runtime.connection.db.selectFrom('code_challenges').select('attempts').executeTakeFirstOrThrow();
  t.equal(row.attempts, 5, 'tries are counted atomically before comparing');
  t.equal((await call(runtime.app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } })).status, 400);
});

t.test('resend: 429 with Retry-After inside 60 s, and at most 5 codes an hour per phone', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const { app } = await startRuntime(t, { now: () => clock });
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone } });
  const early = await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } });
  t.equal(early.status, 429);
  t.equal(early.headers['retry-after'], '60');
  t.match(early.body.detail, /try again in 60 seconds/);
  const statuses = [];
  for (let i = 0; i < 5; i++) {
    clock = new Date(clock.getTime() + 61_000);
    statuses.push((await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } })).status);
  }
  t.same(statuses, [202, 202, 202, 202, 429], 'the registration and four resends make five codes in the hour');
  const unknown = await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone: '+79000000000' } });
  t.equal(unknown.status, 202, 'an unknown number gets the same answer: the reply tells nothing');
  t.same(unknown.body, { detail: 'If this phone number awaits verification, a new code has been sent to it.', expires_in: 300 });
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

t.test('passwordless login: same answer for unknown and unverified numbers, no SMS to them; the code logs in once', async (t) => {
  const runtime = await startRuntime(t, { redis: true });
  const { app } = runtime;
  const client = await person(runtime, phone);
  const unverifiedPhone = '+79000000001';
  const unverified = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: unverifiedPhone, password: 'client1client1' } });
  const stranger = '+79000000000';
  const unknown = await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: stranger } });
  const toUnverified = await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: unverifiedPhone } });
  const beforeLoginCode = runtime.logs.length;
  const known = await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone } });
  t.equal(unknown.status, 200);
  t.same(unknown.body, known.body, 'the reply does not tell whether the number is registered');
  t.same(toUnverified.body, known.body, 'nor whether it is verified');
  t.same(await streamTypes(runtime, clientStream(unverified.body.client_id as string)), ['ClientRegistered', 'PhoneVerificationRequested'], 'an unverified phone is sent no login code');
  t.equal((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: stranger } })).status, 429, 'unknown numbers have the cooldown too');
  t.equal((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone } })).status, 429);

  const code = await smsCode(runtime, phone, beforeLoginCode);
  t.notOk(runtime.logs.some((line) => line.includes(stranger) && line.includes('sms (console')), 'no SMS to an unknown number');
  const tokens = await call(app, 'POST', '/api/v1/auth/login/verify', { body: { phone, code } });
  t.equal(tokens.status, 200);
  t.type(tokens.body.access, 'string');
  const me = await call(app, 'GET', '/api/v1/clients/me', { token: tokens.body.access });
  t.match(me.body, { id: client.id, confirmed_phone: true }, 'the code opens the account that owns the phone');
  t.equal((await call(app, 'POST', '/api/v1/auth/login/verify', { body: { phone, code } })).status, 400, 'single use');
  t.equal((await call(app, 'POST', '/api/v1/auth/login/verify', { body: { phone: stranger, code } })).status, 400);
});

t.test('secrets never reach the event store, the jobs or the logs', async (t) => {
  const runtime = await startRuntime(t, { redis: true });
  const { app } = runtime;
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: 'client1client1' } });
  const code = await smsCode(runtime, phone);
  await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } });
  const session = await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'client1client1' } });
  const rotated = await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: session.body.refresh } });
  t.equal(rotated.status, 200);
  const events = await runtime.connection.db.selectFrom('events').select(['data', 'metadata']).execute();
  const jobs = JSON.stringify(await runtime.jobs.failed());
  // The console provider's message is the one place a code may be printed.
  const logs = runtime.logs.filter((line) => !line.includes('sms (console provider'));
  const everything = JSON.stringify(events) + jobs + logs.join('\n');
  for (const secret of [code, 'client1client1', session.body.access, session.body.refresh, rotated.body.access, rotated.body.refresh]) {
    t.notOk(everything.includes(secret), `no ${secret.slice(0, 6)}… anywhere`);
  }
  t.notMatch(everything, /argon2/);
  const challenge = await runtime.connection.db.selectFrom('code_challenges').select('code_hmac').executeTakeFirstOrThrow();
  t.notMatch(everything, challenge.code_hmac);
  t.not(challenge.code_hmac, code, 'only an HMAC of the code is stored');
});
