import t, { type Test } from 'tap';
import { uniqueEmail } from '../helpers/api-spec.js';
import { emailCode, staffMember, type StaffMember } from '../helpers/staff.js';
import { call, startRuntime } from '../helpers/runtime.js';

t.test('staff login', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  /** A staff user registered with a mixed-case email and a phone, as a receptionist would type them. */
  const given = async (t: Test, phone: string) => {
    const email = uniqueEmail('Manager');
    const created = await call(app, 'POST', '/api/v1/users', { body: { email, password: 'staff-password', phone, first_name: 'Anna' } });
    t.equal(created.status, 201);
    return { email: email.toLowerCase() };
  };

  t.test('logs in by email in any case', async (t) => {
    const { email } = await given(t, '+79967348137');
    const byEmail = await call(app, 'POST', '/api/v1/auth/token', { body: { email, password: 'staff-password' } });
    t.equal(byEmail.status, 200);
    const me = await call(app, 'GET', '/api/v1/users/me', { token: byEmail.body.access });
    t.equal(me.body.email, email);
  });

  t.test('logs in by phone in national notation', async (t) => {
    await given(t, '+79967348138');
    const byPhone = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '89967348138', password: 'staff-password' } });
    t.equal(byPhone.status, 200);
  });

  t.test('a wrong password is the one generic 401', async (t) => {
    const { email } = await given(t, '+79967348139');
    const wrong = await call(app, 'POST', '/api/v1/auth/token', { body: { email, password: 'wrong-password' } });
    t.same(wrong.body, { detail: 'No active account found with the given credentials.' });
  });

  t.test('a login naming neither email nor phone is 400', async (t) => {
    const neither = await call(app, 'POST', '/api/v1/auth/token', { body: { password: 'staff-password' } });
    t.equal(neither.status, 400);
  });

  t.test('a staff token is not a client', async (t) => {
    const { email } = await given(t, '+79967348140');
    const byEmail = await call(app, 'POST', '/api/v1/auth/token', { body: { email, password: 'staff-password' } });
    t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: byEmail.body.access })).status, 403, 'a staff token is not a client');
  });
});

t.test('email verification: a code by email, confirmed once ("Successfully confirmed")', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { redis: true, now: () => clock });
  const { app } = runtime;
  const verify = (staff: StaffMember) => call(app, 'POST', '/api/v1/users/me/email/verify', { token: staff.token });
  const confirm = (staff: StaffMember, code: string) => call(app, 'POST', '/api/v1/users/me/email/confirm', { token: staff.token, body: { code } });
  /** A staff user who asked for a code; returns them and the code the worker emailed. */
  const givenCodeSent = async (t: Test) => {
    const staff = await staffMember(runtime, uniqueEmail('owner'));
    const before = runtime.logs.length;
    t.equal((await verify(staff)).status, 202);
    return { staff, code: await emailCode(runtime, staff.email, before) };
  };
  /** …and confirmed it. */
  const givenConfirmed = async (t: Test) => {
    const sent = await givenCodeSent(t);
    t.equal((await confirm(sent.staff, sent.code)).status, 200);
    return sent;
  };

  t.test('a second ask within 60 s is 429 with Retry-After', async (t) => {
    const { staff } = await givenCodeSent(t);
    const again = await verify(staff);
    t.equal(again.status, 429);
    t.equal(again.headers['retry-after'], '60');
  });

  t.test('a wrong code is 400', async (t) => {
    const { staff, code } = await givenCodeSent(t);
    t.equal((await confirm(staff, code === '000000' ? '111111' : '000000')).status, 400);
  });

  t.test('the right code confirms the email', async (t) => {
    const { staff, code } = await givenCodeSent(t);
    const confirmed = await confirm(staff, code);
    t.equal(confirmed.status, 200);
    t.same(confirmed.body, { detail: 'Successfully confirmed' });
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: staff.token })).body.confirmed_email, true);
  });

  t.test('a code is single use', async (t) => {
    const { staff, code } = await givenConfirmed(t);
    t.equal((await confirm(staff, code)).status, 400, 'single use');
  });

  t.test('a confirmed email has nothing left to verify: 409', async (t) => {
    const { staff } = await givenConfirmed(t);
    clock = new Date(clock.getTime() + 61_000);
    t.equal((await verify(staff)).status, 409, 'nothing to verify any more');
  });

  t.test('verifying records the request and the verification, makes the address hers, and keeps the code out of the log', async (t) => {
    const { staff, code } = await givenConfirmed(t);
    const events = await runtime.connection.db.selectFrom('events').select(['type', 'data']).where('stream_id', '=', `user-${staff.id}`).orderBy('global_position').execute();
    t.same(events.map((e) => e.type), ['UserRegistered', 'EmailVerificationRequested', 'EmailVerified']);
    const owned = await runtime.connection.db.selectFrom('events').select(['type', 'data']).where('stream_id', '=', runtime.deps.contacts.staffEmail(staff.email)).orderBy('global_position').execute();
    t.same(owned.map((e) => [e.type, (e.data as { ownerId: string }).ownerId]), [['ContactOwned', staff.id]], 'verifying made the address hers');
    t.notMatch(JSON.stringify(events), code, 'the code is not in the log');
  });

  t.test('asking anonymously is 401', async (t) => {
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify')).status, 401);
  });
});
