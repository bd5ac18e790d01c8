import t, { type Test } from 'tap';
import { SignJWT } from 'jose';
import { clientStream } from '../../src/events/clients/client.js';
import { national, uniquePhone } from '../helpers/api-spec.js';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/waiting.js';
import { START } from '../../src/store/port.js';

const register = { password: 'client1client1', first_name: 'Client1', last_name: 'Surname', email: 'Client1@Example.com', birthday: '2004-10-08', sex: 'female', additional_info: 'likes dogs' };

/** How many ClientRegistered events name `phone`. */
const registrationsOf = async (runtime: TestRuntime, phone: string) =>
  (await runtime.store.readAll({ from: START, limit: 100_000 })).filter((e) => e.type === 'ClientRegistered' && (e.data as { phone: string }).phone === phone).length;

t.test('client identity', async (t) => {
  // Real time, moved on past code cooldowns and token lifetimes.
  let offset = 0;
  const runtime = await startRuntime(t, { now: () => new Date(Date.now() + offset) });
  const { app, connection } = runtime;
  const login = (phone: string, password: string) => call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } });

  /** A client registered with a full profile, phone not yet verified. */
  const givenRegistered = async (t: Test) => {
    const phone = uniquePhone();
    const from = runtime.logs.length;
    const created = await call(app, 'POST', '/api/v1/auth/register', { body: { phone, ...register } });
    t.equal(created.status, 201);
    return { phone, created, code: await smsCode(runtime, phone, from) };
  };
  /** …who verified the phone with the code, in national notation. */
  const givenVerified = async (t: Test) => {
    const registered = await givenRegistered(t);
    t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: national(registered.phone), code: registered.code } })).status, 200, 'the code sent to the phone verifies it');
    return registered;
  };

  t.test('a registration is 201 with the client id, and the read model holds the client before the reply', async (t) => {
    const { created } = await givenRegistered(t);
    t.match(created.body.client_id, /^[0-9a-f-]{36}$/);
    // Read your writes: the read model holds the client as soon as the command answered.
    const row = await connection.db.selectFrom('client_accounts').selectAll().where('id', '=', created.body.client_id).executeTakeFirst();
    t.ok(row, 'the projection has applied the registration before the 201');
    t.equal(row?.confirmed_phone, false);
  });

  t.test('no password login before the phone is verified', async (t) => {
    const { phone } = await givenRegistered(t);
    t.equal((await login(phone, register.password)).status, 401, 'no password login before the phone is verified');
  });

  t.test('the code sent to the phone verifies it', async (t) => {
    await givenVerified(t);
  });

  t.test('once verified, the password logs in, by any notation of the phone', async (t) => {
    const { phone } = await givenVerified(t);
    const reply = await login(national(phone), register.password);
    t.equal(reply.status, 200, 'a national notation of the same phone logs in');
    t.type(reply.body.access, 'string');
    t.type(reply.body.refresh, 'string');
    t.equal(reply.body.expires_in, 900);
  });

  t.test('the client reads their profile as registered', async (t) => {
    const { phone, created } = await givenVerified(t);
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: (await login(phone, register.password)).body.access });
    t.equal(me.status, 200);
    t.same(me.body, {
      id: created.body.client_id,
      phone,
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

  /** Two accounts that named one phone (a minute apart, past the code cooldown) before anybody verified it. */
  const givenTwoClaims = async (t: Test) => {
    const phone = uniquePhone();
    // Each registration sends a code; the next one waits until it went (the worker is asynchronous).
    const registerAndWaitForCode = async (body: Record<string, unknown>) => {
      const from = runtime.logs.length;
      const reply = await call(app, 'POST', '/api/v1/auth/register', { body });
      if (reply.status === 201) await smsCode(runtime, phone, from);
      return reply;
    };
    const first = await registerAndWaitForCode({ phone });
    t.equal(first.status, 201);
    offset += 61_000; // past the cooldown of the code the first registration sent
    const second = await registerAndWaitForCode({ phone: national(phone), password: 'another-password' });
    t.equal(second.status, 201, 'a phone nobody verified is only a claim: another account may name it');
    offset += 61_000;
    return { phone, first, second };
  };

  t.test('a phone nobody verified stops nobody', async (t) => {
    const { first, second } = await givenTwoClaims(t);
    t.not(second.body.client_id, first.body.client_id);
  });

  t.test('whoever verifies a claimed phone owns it', async (t) => {
    const { phone, first } = await givenTwoClaims(t);
    const owner = await person(runtime, phone, {}, 'owner-password');
    t.not(owner.id, first.body.client_id);
    t.same(await streamTypes(runtime, runtime.deps.contacts.phone(phone)), ['ContactOwned'], 'the one who verified owns it');
  });

  t.test('a registration with a phone someone verified is 409, and the earlier claims gain nothing', async (t) => {
    const { phone, first } = await givenTwoClaims(t);
    await person(runtime, phone, {}, 'owner-password');
    offset += 61_000;
    const again = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: national(phone), password: 'another-password' } });
    t.equal(again.status, 409);
    t.same(again.body, { detail: 'A client with this phone number already exists.', errors: { phone: ['A client with this phone number already exists.'] } });
    t.same(await streamTypes(runtime, clientStream(first.body.client_id as string)), ['ClientRegistered', 'PhoneVerificationRequested'], 'the earlier claims gained nothing');
    t.equal(await registrationsOf(runtime, phone), 3, 'one ClientRegistered per 201 in the log');
  });

  t.test('concurrent registrations of one phone give exactly one 201', async (t) => {
    const phone = uniquePhone();
    const attempts = await Promise.all(Array.from({ length: 25 }, (_, i) => call(app, 'POST', '/api/v1/auth/register', { body: { phone, first_name: `racer ${i}` } })));
    const statuses = attempts.map((a) => a.status).sort();
    t.equal(statuses.filter((s) => s === 201).length, 1, 'exactly one registration wins');
    t.equal(statuses.filter((s) => s === 429).length, 24, 'every other one is told a code was just sent to this phone');
    const rows = await connection.db.selectFrom('client_accounts').select('id').where('phone', '=', phone).execute();
    t.equal(rows.length, 1);
    t.equal(await registrationsOf(runtime, phone), 1, 'one ClientRegistered per 201 in the log');
  });

  t.test('password login: one generic 401 for a wrong password, an unknown phone, an account without a password, an unverified one', async (t) => {
    const { phone } = await person(runtime, uniquePhone(), {}, register.password);
    const noPassword = uniquePhone();
    const unverified = uniquePhone();
    t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: noPassword } })).status, 201);
    t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: unverified, password: 'unverified-password' } })).status, 201);
    const replies = [await login(phone, 'wrong-password'), await login(uniquePhone(), 'whatever-password'), await login(noPassword, 'whatever-password'), await login(unverified, 'unverified-password')];
    for (const reply of replies) {
      t.equal(reply.status, 401);
      t.same(reply.body, { detail: 'No active account found with the given credentials.' });
    }
  });

  t.test('the password and the tokens never reach the events or the log; the hash is argon2id', async (t) => {
    const { phone, id } = await person(runtime, uniquePhone(), {}, register.password);
    const ok = await login(phone, register.password);
    t.equal(ok.status, 200);
    const stored = await connection.db.selectFrom('events').select(['data', 'metadata']).execute();
    const log = JSON.stringify(stored) + runtime.logs.join('\n');
    t.notMatch(log, register.password, 'the password is in no event and no log line');
    t.notMatch(log, /argon2/, 'no password hash in events or logs');
    t.notMatch(log, ok.body.access, 'no access token in events or logs');
    t.notMatch(log, ok.body.refresh, 'no refresh token in events or logs');
    const hash = await connection.db.selectFrom('credentials').select('password_hash').where('subject_id', '=', id).executeTakeFirstOrThrow();
    t.match(hash.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'argon2id with the OWASP parameters');
  });

  t.test('events carry who did what and why; one log line per request', async (t) => {
    const phone = uniquePhone();
    const created = await call(app, 'POST', '/api/v1/auth/register', { body: { phone }, headers: { 'x-request-id': 'req-1', 'x-correlation-id': 'flow-7' } });
    t.equal(created.headers['x-request-id'], 'req-1');
    const lines = runtime.logs.map((line) => JSON.parse(line) as { reqId?: string; msg?: string; res?: { statusCode?: number }; responseTime?: number }).filter((l) => l.reqId === 'req-1');
    t.match(lines, [{ msg: 'request completed', res: { statusCode: 201 }, responseTime: Number }], 'at info, one line per request, when it completes, with its request id');
    t.equal(lines.length, 1);
    const client = `client-${created.body.client_id}`;
    const events = await connection.db.selectFrom('events').select(['stream_id', 'type', 'metadata']).where('stream_id', 'in', [client, runtime.deps.contacts.phone(phone)]).orderBy('global_position').execute();
    t.same(events.map((e) => [e.stream_id, e.type]), [[client, 'ClientRegistered'], [client, 'PhoneVerificationRequested']], 'a registration claims the phone in the account alone: nothing in the phone stream');
    for (const { metadata } of events) {
      const { hash, keyOwner, ...caller } = metadata as { hash: string; keyOwner: string };
      t.same(caller, { actor: { kind: 'anonymous' }, correlationId: 'flow-7', causationId: 'req-1', requestId: 'req-1' });
      t.match({ hash, keyOwner }, { hash: /^[0-9a-f]{64}$/, keyOwner: client.replace('client-', '') }, 'and what the store adds: the chain’s hash, and whose key encrypts it');
    }
  });

  /** A signed-in client: their access token, its header and payload. */
  const givenToken = async () => {
    const { token } = await person(runtime, uniquePhone(), {}, register.password);
    const [header, payload] = token.split('.');
    return { token, header: header!, payload: payload! };
  };
  const me = (token?: string) => call(app, 'GET', '/api/v1/clients/me', token ? { token } : {});

  t.test('no access token: 401', async (t) => {
    const none = await me();
    t.equal(none.status, 401);
    t.same(none.body, { detail: 'Authentication credentials were not provided.' });
  });

  t.test('a forged signature: 401', async (t) => {
    const { header, payload } = await givenToken();
    t.equal((await me(`${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`)).status, 401);
  });

  t.test('another algorithm: 401, the algorithm is pinned', async (t) => {
    const { payload } = await givenToken();
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-guessable-secret-of-enough-length'));
    t.equal((await me(hs256)).status, 401, 'a symmetric token is refused: the algorithm is pinned');
    t.equal((await me(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`)).status, 401);
  });

  t.test('an access token expires after 15 minutes', async (t) => {
    const { token } = await givenToken();
    t.equal((await me(token)).status, 200);
    offset += 16 * 60_000;
    t.equal((await me(token)).status, 401, 'expired after 15 minutes');
  });
});

t.test('a quiet world: refused input and operations', async (t) => {
  // Nothing else happens here, so counting every event shows a refusal wrote none.
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const refusedAndUnwritten = async (t: Test, body: unknown, headers?: Record<string, string>) => {
    const before = await eventCount(runtime);
    const reply = await call(app, 'POST', '/api/v1/auth/register', { body, ...(headers ? { headers } : {}) });
    t.equal(await eventCount(runtime), before, 'no event was written by any refused request');
    return reply;
  };

  t.test('a registration without a phone is 400', async (t) => {
    const missing = await refusedAndUnwritten(t, { first_name: 'x' });
    t.equal(missing.status, 400);
    t.same(missing.body, { detail: 'Invalid input.', errors: { phone: ['This field is required.'] } });
  });

  t.test('every invalid field is named at once', async (t) => {
    const bad = await refusedAndUnwritten(t, { phone: '12345', password: 'short', email: 'not-an-email', birthday: '2004-13-45' });
    t.equal(bad.status, 400);
    t.same(Object.keys(bad.body.errors).sort(), ['birthday', 'email', 'password', 'phone']);
    t.same(bad.body.errors.phone, ['Enter a valid phone number.']);
    t.same(bad.body.errors.password, ['Ensure this field has at least 8 characters.']);
  });

  t.test('a body that is not JSON is 415', async (t) => {
    const notJson = await refusedAndUnwritten(t, 'phone=+79517586284', { 'content-type': 'application/x-www-form-urlencoded' });
    t.equal(notJson.status, 415);
    t.match(notJson.body.detail, /accepts only application\/json/);
  });

  t.test('malformed JSON is 400', async (t) => {
    const malformed = await refusedAndUnwritten(t, '{"phone": ', { 'content-type': 'application/json' });
    t.equal(malformed.status, 400);
    t.same(malformed.body, { detail: 'The request body is not valid JSON.' });
  });

  t.test('a JSON array is 400', async (t) => {
    t.equal((await refusedAndUnwritten(t, [1, 2])).status, 400);
  });

  t.test('health: live and ready, with the projections', async (t) => {
    t.same((await call(app, 'GET', '/health/live')).body, { status: 'ok' });
    const ready = await call(app, 'GET', '/health/ready');
    t.equal(ready.status, 200);
    t.same(ready.body.checks, { database: { status: 'ok' }, event_store: { status: 'ok' } });
    t.same(ready.body.projections.slice(0, 2).map((p: { name: string }) => p.name), ['client-accounts', 'client-records']);
  });

  t.test('the OpenAPI document lists the routes; Swagger UI is served', async (t) => {
    const docs = await call(app, 'GET', '/docs/json');
    t.equal(docs.status, 200);
    t.ok(docs.body.paths['/api/v1/auth/register'], 'the OpenAPI document lists the routes');
    t.equal((await call(app, 'GET', '/docs/')).status, 200, 'Swagger UI is served');
  });

  t.test('an unknown route is 404', async (t) => {
    t.same((await call(app, 'GET', '/api/v1/nope')).body, { detail: 'Not found.' });
  });

  t.test('metrics: requests, projections, the hashing queue, jobs, memory', async (t) => {
    t.same((await call(app, 'GET', '/api/v1/nope')).body, { detail: 'Not found.' });
    // Runners report 'starting' until their first read of the log: wait for that, not for a fixed time.
    await eventually(() => runtime.deps.projectionStatus().every((p) => p.state === 'running'));
    const scraped = await app.inject({ method: 'GET', url: '/metrics' });
    t.equal(scraped.statusCode, 200);
    t.match(scraped.body, /http_request_duration_seconds_bucket\{.*route="\/api\/v1\/nope"|route="unmatched"/);
    t.match(scraped.body, /projection_running\{projection="client-accounts"\} 1/);
    t.match(scraped.body, /projection_running\{projection="client-records"\} 1/);
    t.match(scraped.body, /password_hashing\{state="waiting"\} 0/, 'the argon2id queue is visible');
    t.match(scraped.body, /jobs\{queue="jobs",state="failed"\} 0/);
    t.match(scraped.body, /process_resident_memory_bytes/);
  });
});
