import t from 'tap';
import { emailCode, staffMember } from '../helpers/staff.js';
import { call, startRuntime } from '../helpers/runtime.js';

t.test('staff log in by email or phone with one generic 401 for wrong credentials', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const created = await call(app, 'POST', '/api/v1/users', { body: { email: 'Manager@Clinic.test', password: 'staff-password', phone: '+79967348137', first_name: 'Anna' } });
  t.equal(created.status, 201);
  const byEmail = await call(app, 'POST', '/api/v1/auth/token', { body: { email: 'manager@clinic.test', password: 'staff-password' } });
  t.equal(byEmail.status, 200);
  const byPhone = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '89967348137', password: 'staff-password' } });
  t.equal(byPhone.status, 200);
  const me = await call(app, 'GET', '/api/v1/users/me', { token: byEmail.body.access });
  t.equal(me.body.email, 'manager@clinic.test');
  const wrong = await call(app, 'POST', '/api/v1/auth/token', { body: { email: 'manager@clinic.test', password: 'wrong-password' } });
  t.same(wrong.body, { detail: 'No active account found with the given credentials.' });
  const neither = await call(app, 'POST', '/api/v1/auth/token', { body: { password: 'staff-password' } });
  t.equal(neither.status, 400);
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: byEmail.body.access })).status, 403, 'a staff token is not a client');
});

t.test('email verification: a code by email, confirmed once ("Successfully confirmed")', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { redis: true, now: () => clock });
  const staff = await staffMember(runtime, 'owner@clinic.test');
  const before = runtime.logs.length;
  const sent = await call(runtime.app, 'POST', '/api/v1/users/me/email/verify', { token: staff.token });
  t.equal(sent.status, 202);
  const again = await call(runtime.app, 'POST', '/api/v1/users/me/email/verify', { token: staff.token });
  t.equal(again.status, 429);
  t.equal(again.headers['retry-after'], '60');
  const code = await emailCode(runtime, 'owner@clinic.test', before);

  t.equal((await call(runtime.app, 'POST', '/api/v1/users/me/email/confirm', { token: staff.token, body: { code: code === '000000' ? '111111' : '000000' } })).status, 400);
  const confirmed = await call(runtime.app, 'POST', '/api/v1/users/me/email/confirm', { token: staff.token, body: { code } });
  t.equal(confirmed.status, 200);
  t.same(confirmed.body, { detail: 'Successfully confirmed' });
  t.equal((await call(runtime.app, 'GET', '/api/v1/users/me', { token: staff.token })).body.confirmed_email, true);
  t.equal((await call(runtime.app, 'POST', '/api/v1/users/me/email/confirm', { token: staff.token, body: { code } })).status, 400, 'single use');
  clock = new Date(clock.getTime() + 61_000);
  t.equal((await call(runtime.app, 'POST', '/api/v1/users/me/email/verify', { token: staff.token })).status, 409, 'nothing to verify any more');

  const events = await runtime.connection.db.selectFrom('events').select(['type', 'data']).where('stream_id', '=', `user-${staff.id}`).execute();
  t.same(events.map((e) => e.type), ['UserRegistered', 'EmailVerificationRequested', 'EmailVerified']);
  const owned = await runtime.connection.db.selectFrom('events').select(['type', 'data']).where('stream_id', '=', 'staff-email-owner@clinic.test').execute();
  t.same(owned.map((e) => [e.type, (e.data as { ownerId: string }).ownerId]), [['ContactOwned', staff.id]], 'verifying made the address hers');
  t.notMatch(JSON.stringify(events), code, 'the code is not in the log');
  t.equal((await call(runtime.app, 'POST', '/api/v1/users/me/email/verify')).status, 401);
});
