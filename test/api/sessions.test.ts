import t from 'tap';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { person } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';

const phone = '+79517586284';
const password = 'client1client1';

t.test('refresh rotates; presenting a rotated token revokes the whole session', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  await person(runtime, phone, {}, password);
  const first = (await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } })).body;
  const second = await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: first.refresh } });
  t.equal(second.status, 200);
  t.not(second.body.refresh, first.refresh, 'a new refresh token on every use');
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: second.body.access })).status, 200);

  const reuse = await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: first.refresh } });
  t.equal(reuse.status, 401);
  t.same(reuse.body, { detail: 'Token is invalid or expired.' });
  t.equal((await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: second.body.refresh } })).status, 401, 'the newest token of the family is revoked too');
  const revoked = await call(app, 'GET', '/api/v1/clients/me', { token: second.body.access });
  t.equal(revoked.status, 403, 'an access token of a revoked session is refused');
  t.same(revoked.body, { detail: 'You do not have permission to perform this action.' });

  const other = (await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } })).body;
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: other.access })).status, 200, 'another session is untouched');
  t.equal((await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: 'made-up' } })).status, 401);
});

t.test('logout ends the session (seed 000: a deleted session is 403)', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  await person(runtime, phone, {}, password);
  const session = (await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } })).body;
  t.equal((await call(app, 'POST', '/api/v1/auth/logout', { token: session.access })).status, 204);
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: session.access })).status, 403);
  t.equal((await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: session.refresh } })).status, 401);
  t.equal((await call(app, 'POST', '/api/v1/auth/logout')).status, 401);
});

t.test('repeated wrong passwords throttle the account, known or not', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  await person(runtime, phone, {}, password);
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: `wrong-${i}` } })).status);
  t.same(statuses, [401, 401, 401, 401, 401, 429]);
  const locked = await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
  t.equal(locked.status, 429, 'even the right password waits out the lock');
  t.ok(Number(locked.headers['retry-after']) > 0);
  const unknown = [];
  for (let i = 0; i < 6; i++) unknown.push((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79000000000', password: 'x' } })).status);
  t.same(unknown, [401, 401, 401, 401, 401, 429], 'unknown accounts are throttled alike');
  clock = new Date(clock.getTime() + 16 * 60_000);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } })).status, 200, 'the lock ends');
});

t.test('password check (seed 001)', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  await person(runtime, phone, {}, password);
  const { access } = (await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } })).body;
  t.same((await call(app, 'POST', '/api/v1/auth/password/check', { token: access, body: { password } })).body, { match: true });
  t.same((await call(app, 'POST', '/api/v1/auth/password/check', { token: access, body: { password: 'nope' } })).body, { match: false });
  t.equal((await call(app, 'POST', '/api/v1/auth/password/check', { body: { password } })).status, 401);
});

t.test('JWKS publishes the public key that verifies our access tokens', async (t) => {
  const runtime = await startRuntime(t);
  const { app, config } = runtime;
  await person(runtime, phone, {}, password);
  const { access } = (await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } })).body;
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
