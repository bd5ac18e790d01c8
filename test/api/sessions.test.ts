import t, { type Test } from 'tap';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { uniquePhone } from '../helpers/api-spec.js';
import { person } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';

const password = 'client1client1';

/** A verified person with a fresh session of their own: its access and refresh tokens. */
async function givenSession(t: Test, runtime: TestRuntime) {
  const { phone } = await person(runtime, uniquePhone(), {}, password);
  const session = await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
  t.equal(session.status, 200);
  return { phone, access: session.body.access as string, refresh: session.body.refresh as string };
}

t.test('sessions', async (t) => {
  const runtime = await startRuntime(t);
  const { app, config } = runtime;
  const refresh = (token: string) => call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: token } });
  const me = (token: string) => call(app, 'GET', '/api/v1/clients/me', { token });

  t.test('a refresh rotates: a new refresh token and a working access token', async (t) => {
    const first = await givenSession(t, runtime);
    const second = await refresh(first.refresh);
    t.equal(second.status, 200);
    t.not(second.body.refresh, first.refresh, 'a new refresh token on every use');
    t.equal((await me(second.body.access)).status, 200);
  });

  t.test('presenting a rotated refresh token is 401 and revokes the whole session', async (t) => {
    const first = await givenSession(t, runtime);
    const second = await refresh(first.refresh);
    t.equal(second.status, 200);
    const reuse = await refresh(first.refresh);
    t.equal(reuse.status, 401);
    t.same(reuse.body, { detail: 'Token is invalid or expired.' });
    t.equal((await refresh(second.body.refresh)).status, 401, 'the newest token of the family is revoked too');
    const revoked = await me(second.body.access);
    t.equal(revoked.status, 403, 'an access token of a revoked session is refused');
    t.same(revoked.body, { detail: 'You do not have permission to perform this action.' });
  });

  t.test('revoking one session leaves another session of the same person untouched', async (t) => {
    const first = await givenSession(t, runtime);
    const other = (await call(app, 'POST', '/api/v1/auth/token', { body: { phone: first.phone, password } })).body;
    t.equal((await refresh(first.refresh)).status, 200);
    t.equal((await refresh(first.refresh)).status, 401, 'the reuse revokes the first session');
    t.equal((await me(other.access)).status, 200, 'another session is untouched');
  });

  t.test('a made-up refresh token is 401', async (t) => {
    t.equal((await refresh('made-up')).status, 401);
  });

  t.test('logout ends the session (seed 000: a deleted session is 403)', async (t) => {
    const session = await givenSession(t, runtime);
    t.equal((await call(app, 'POST', '/api/v1/auth/logout', { token: session.access })).status, 204);
    t.equal((await me(session.access)).status, 403);
    t.equal((await refresh(session.refresh)).status, 401);
  });

  t.test('logout without a token is 401', async (t) => {
    t.equal((await call(app, 'POST', '/api/v1/auth/logout')).status, 401);
  });

  t.test('password check (seed 001): the right password matches', async (t) => {
    const { access } = await givenSession(t, runtime);
    t.same((await call(app, 'POST', '/api/v1/auth/password/check', { token: access, body: { password } })).body, { match: true });
  });

  t.test('password check: a wrong password does not match', async (t) => {
    const { access } = await givenSession(t, runtime);
    t.same((await call(app, 'POST', '/api/v1/auth/password/check', { token: access, body: { password: 'nope' } })).body, { match: false });
  });

  t.test('password check without a token is 401', async (t) => {
    t.equal((await call(app, 'POST', '/api/v1/auth/password/check', { body: { password } })).status, 401);
  });

  t.test('JWKS publishes the public key that verifies our access tokens', async (t) => {
    const { access } = await givenSession(t, runtime);
    const jwks = await call(app, 'GET', '/.well-known/jwks.json');
    t.equal(jwks.status, 200);
    t.equal(jwks.body.keys.length, 1);
    t.notOk('d' in jwks.body.keys[0], 'no private part');
    const { payload, protectedHeader } = await jwtVerify(access, createLocalJWKSet(jwks.body as { keys: [] }), {
      algorithms: ['EdDSA'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
    t.equal(protectedHeader.kid, jwks.body.keys[0].kid);
    t.equal(payload.kind, 'client');
    t.equal((payload.exp ?? 0) - (payload.iat ?? 0), 900);
  });
});

t.test('repeated wrong passwords throttle the account, known or not', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const login = (phone: string, pass: string) => call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: pass } });
  /** A person whose account took five wrong passwords and then a sixth. */
  const givenLocked = async (t: Test) => {
    const { phone } = await person(runtime, uniquePhone(), {}, password);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(phone, `wrong-${i}`)).status);
    t.same(statuses, [401, 401, 401, 401, 401, 429]);
    return phone;
  };

  t.test('the sixth wrong password is 429', async (t) => {
    await givenLocked(t);
  });

  t.test('even the right password waits out the lock', async (t) => {
    const phone = await givenLocked(t);
    const locked = await login(phone, password);
    t.equal(locked.status, 429, 'even the right password waits out the lock');
    t.ok(Number(locked.headers['retry-after']) > 0);
  });

  t.test('unknown accounts are throttled alike', async (t) => {
    const unknown = [];
    const stranger = uniquePhone();
    for (let i = 0; i < 6; i++) unknown.push((await login(stranger, 'x')).status);
    t.same(unknown, [401, 401, 401, 401, 401, 429], 'unknown accounts are throttled alike');
  });

  t.test('the lock ends after 15 minutes', async (t) => {
    const phone = await givenLocked(t);
    clock = new Date(clock.getTime() + 16 * 60_000);
    t.equal((await login(phone, password)).status, 200, 'the lock ends');
  });
});
