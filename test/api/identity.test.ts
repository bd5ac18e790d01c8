import t from 'tap';
import { SignJWT } from 'jose';
import { clientStream } from '../../src/events/clients/client.js';
import { phoneStream } from '../../src/events/identity/contact.js';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';

const register = { phone: '+79517586284', password: 'client1client1', first_name: 'Client1', last_name: 'Surname', email: 'Client1@Example.com', birthday: '2004-10-08', sex: 'female', additional_info: 'likes dogs' };

t.test('a client registers, verifies the phone, logs in with the password and reads their profile', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const created = await call(app, 'POST', '/api/v1/auth/register', { body: register });
  t.equal(created.status, 201);
  t.match(created.body.client_id, /^[0-9a-f-]{36}$/);

  // Read your writes: the read model holds the client as soon as the command answered.
  const row = await connection.db.selectFrom('client_accounts').selectAll().where('id', '=', created.body.client_id).executeTakeFirst();
  t.ok(row, 'the projection has applied the registration before the 201');
  t.equal(row?.confirmed_phone, false);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: register.phone, password: register.password } })).status, 401, 'no password login before the phone is verified');

  const code = await smsCode(runtime, register.phone);
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: '8 (951) 758-62-84', code } })).status, 200, 'the code sent to the phone verifies it');
  const login = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '8 (951) 758-62-84', password: register.password } });
  t.equal(login.status, 200, 'a national notation of the same phone logs in');
  t.type(login.body.access, 'string');
  t.type(login.body.refresh, 'string');
  t.equal(login.body.expires_in, 900);

  const me = await call(app, 'GET', '/api/v1/clients/me', { token: login.body.access });
  t.equal(me.status, 200);
  t.same(me.body, {
    id: created.body.client_id,
    phone: '+79517586284',
    confirmed_phone: true,
    email: 'client1@example.com',
    first_name: 'Client1',
    last_name: 'Surname',
    patronymic: '',
    birthday: '2004-10-08',
    sex: 'female',
    address: '',
    additional_info: 'likes dogs',
    links: {},
    organizations: [],
    registration_date: me.body.registration_date,
    updated_at: me.body.updated_at,
  });
  t.ok(Date.parse(me.body.registration_date) > Date.now() - 60_000, 'registration_date is the time of registration');
  t.equal(me.headers['x-request-id'] !== undefined, true, 'every reply names its request id');
});

t.test('registration input is validated, every field at once, and changes nothing', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const before = await eventCount(runtime);
  const missing = await call(app, 'POST', '/api/v1/auth/register', { body: { first_name: 'x' } });
  t.equal(missing.status, 400);
  t.same(missing.body, { detail: 'Invalid input.', errors: { phone: ['This field is required.'] } });

  const bad = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '12345', password: 'short', email: 'not-an-email', birthday: '2004-13-45' } });
  t.equal(bad.status, 400);
  t.same(Object.keys(bad.body.errors).sort(), ['birthday', 'email', 'password', 'phone']);
  t.same(bad.body.errors.phone, ['Enter a valid phone number.']);
  t.same(bad.body.errors.password, ['Ensure this field has at least 8 characters.']);

  const notJson = await call(app, 'POST', '/api/v1/auth/register', { body: 'phone=+79517586284', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(notJson.status, 415);
  t.match(notJson.body.detail, /accepts only application\/json/);

  const malformed = await call(app, 'POST', '/api/v1/auth/register', { body: '{"phone": ', headers: { 'content-type': 'application/json' } });
  t.equal(malformed.status, 400);
  t.same(malformed.body, { detail: 'The request body is not valid JSON.' });

  const array = await call(app, 'POST', '/api/v1/auth/register', { body: [1, 2] });
  t.equal(array.status, 400);

  t.equal(await eventCount(runtime), before, 'no event was written by any refused request');
});

t.test('a phone someone verified is taken (409); an unverified one stops nobody; concurrent registrations of one phone give exactly one 201', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => new Date(clock) });
  const { app, connection } = runtime;
  // Each registration sends a code; the next one waits until it went (the worker is asynchronous).
  const registerAndWaitForCode = async (body: Record<string, unknown>) => {
    const from = runtime.logs.length;
    const reply = await call(app, 'POST', '/api/v1/auth/register', { body });
    if (reply.status === 201) await smsCode(runtime, '+79967486294', from);
    return reply;
  };
  const first = await registerAndWaitForCode({ phone: '+79967486294' });
  t.equal(first.status, 201);
  clock += 61_000; // past the cooldown of the code the first registration sent
  const second = await registerAndWaitForCode({ phone: '89967486294', password: 'another-password' });
  t.equal(second.status, 201, 'a phone nobody verified is only a claim: another account may name it');
  t.not(second.body.client_id, first.body.client_id);

  clock += 61_000;
  const owner = await person(runtime, '+79967486294', {}, 'owner-password');
  t.not(owner.id, first.body.client_id);
  t.same(await streamTypes(runtime, phoneStream('+79967486294')), ['ContactOwned'], 'the one who verified owns it');
  clock += 61_000;
  const again = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '89967486294', password: 'another-password' } });
  t.equal(again.status, 409);
  t.same(again.body, { detail: 'A client with this phone number already exists.', errors: { phone: ['A client with this phone number already exists.'] } });
  t.same(await streamTypes(runtime, clientStream(first.body.client_id as string)), ['ClientRegistered', 'PhoneVerificationRequested'], 'the earlier claims gained nothing');

  const attempts = await Promise.all(
    Array.from({ length: 25 }, (_, i) => call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79092479999', first_name: `racer ${i}` } })),
  );
  const statuses = attempts.map((a) => a.status).sort();
  t.equal(statuses.filter((s) => s === 201).length, 1, 'exactly one registration wins');
  t.equal(statuses.filter((s) => s === 429).length, 24, 'every other one is told a code was just sent to this phone');
  const rows = await connection.db.selectFrom('client_accounts').select('id').where('phone', '=', '+79092479999').execute();
  t.equal(rows.length, 1);
  const registered = await connection.db.selectFrom('events').select('event_id').where('type', '=', 'ClientRegistered').execute();
  t.equal(registered.length, 4, 'one ClientRegistered per 201 in the log');
});

t.test('password login: one generic 401 for any wrong credential; secrets never reach the log', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection, logs } = runtime;
  const { phone, password, ...profile } = register;
  await person(runtime, phone, profile, password);
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79000000001' } });
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79000000002', password: 'unverified-password' } });
  const wrongPassword = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: register.phone, password: 'wrong-password' } });
  const unknownPhone = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79000000000', password: 'whatever-password' } });
  const noPassword = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79000000001', password: 'whatever-password' } });
  const unverified = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79000000002', password: 'unverified-password' } });
  for (const reply of [wrongPassword, unknownPhone, noPassword, unverified]) {
    t.equal(reply.status, 401);
    t.same(reply.body, { detail: 'No active account found with the given credentials.' });
  }
  const ok = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: register.phone, password: register.password } });
  t.equal(ok.status, 200);

  const stored = await connection.db.selectFrom('events').select(['data', 'metadata']).execute();
  const log = JSON.stringify(stored) + logs.join('\n');
  t.notMatch(log, register.password, 'the password is in no event and no log line');
  t.notMatch(log, /argon2/, 'no password hash in events or logs');
  t.notMatch(log, ok.body.access, 'no access token in events or logs');
  t.notMatch(log, ok.body.refresh, 'no refresh token in events or logs');
  const hash = await connection.db.selectFrom('credentials').select('password_hash').executeTakeFirstOrThrow();
  t.match(hash.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'argon2id with the OWASP parameters');
});

t.test('events carry who did what and why', async (t) => {
  const { app, connection, logs } = await startRuntime(t);
  const created = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79517586284' }, headers: { 'x-request-id': 'req-1', 'x-correlation-id': 'flow-7' } });
  t.equal(created.headers['x-request-id'], 'req-1');
  const lines = logs.map((line) => JSON.parse(line) as { reqId?: string; msg?: string; res?: { statusCode?: number }; responseTime?: number }).filter((l) => l.reqId === 'req-1');
  t.match(lines, [{ msg: 'request completed', res: { statusCode: 201 }, responseTime: Number }], 'at info, one line per request, when it completes, with its request id');
  t.equal(lines.length, 1);
  const events = await connection.db.selectFrom('events').select(['stream_id', 'type', 'metadata']).where('stream_id', '!=', 'migration-trust-model').orderBy('global_position').execute();
  const client = `client-${created.body.client_id}`;
  t.same(events.map((e) => [e.stream_id, e.type]), [[client, 'ClientRegistered'], [client, 'PhoneVerificationRequested']], 'a registration claims the phone in the account alone: nothing in the phone stream');
  for (const event of events) t.same(event.metadata, { actor: { kind: 'anonymous' }, correlationId: 'flow-7', causationId: 'req-1', requestId: 'req-1' });
});

t.test('access tokens: missing, forged, other algorithm, expired', async (t) => {
  let clock = new Date();
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const { phone, password, ...profile } = register;
  await person(runtime, phone, profile, password);
  const { body } = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: register.phone, password: register.password } });

  const none = await call(app, 'GET', '/api/v1/clients/me');
  t.equal(none.status, 401);
  t.same(none.body, { detail: 'Authentication credentials were not provided.' });

  const [header, payload] = (body.access as string).split('.');
  const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: forged })).status, 401);

  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-guessable-secret-of-enough-length'));
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: hs256 })).status, 401, 'a symmetric token is refused: the algorithm is pinned');
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: unsigned })).status, 401);

  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: body.access })).status, 200);
  clock = new Date(clock.getTime() + 16 * 60_000);
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: body.access })).status, 401, 'expired after 15 minutes');
});

t.test('operations: health, OpenAPI, unknown routes', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  t.same((await call(app, 'GET', '/health/live')).body, { status: 'ok' });
  const ready = await call(app, 'GET', '/health/ready');
  t.equal(ready.status, 200);
  t.same(ready.body.checks, { database: { status: 'ok' }, event_store: { status: 'ok' } });
  t.same(ready.body.projections.slice(0, 2).map((p: { name: string }) => p.name), ['client-accounts', 'client-records']);
  const docs = await call(app, 'GET', '/docs/json');
  t.equal(docs.status, 200);
  t.ok(docs.body.paths['/api/v1/auth/register'], 'the OpenAPI document lists the routes');
  t.equal((await call(app, 'GET', '/docs/')).status, 200, 'Swagger UI is served');
  t.same((await call(app, 'GET', '/api/v1/nope')).body, { detail: 'Not found.' });

  // Runners report 'starting' until their first read of the log: wait for that, not for a fixed time.
  for (const deadline = Date.now() + 10_000; !runtime.deps.projectionStatus().every((p) => p.state === 'running') && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
  const scraped = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(scraped.statusCode, 200);
  t.match(scraped.body, /http_request_duration_seconds_bucket\{.*route="\/api\/v1\/nope"|route="unmatched"/);
  t.match(scraped.body, /projection_running\{projection="client-accounts"\} 1/);
  t.match(scraped.body, /projection_running\{projection="client-records"\} 1/);
  t.match(scraped.body, /password_hashing\{state="waiting"\} 0/, 'the argon2id queue is visible');
  t.match(scraped.body, /jobs\{state="failed"\} 0/);
  t.match(scraped.body, /process_resident_memory_bytes/);
});
