import t from 'tap';
import { getPasswordHash } from '../../src/auth/credentials.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { addMember, emailCode, invite, organizationOf, STAFF_PASSWORD, staffMember, staffToken, verifyEmail, verifyPhone, type StaffMember } from '../helpers/staff.js';

// The staff side of docs/trust-model.md: each attack, performed over HTTP,
// and shown to fail.

const NOT_FOUND = { detail: 'Not found.' };

/** How many events the user's own stream holds. */
const streamLength = async (runtime: TestRuntime, userId: string) => (await runtime.deps.store.readStream(`user-${userId}`)).length;

/** A clock the test moves past code cooldowns. */
function clock() {
  let now = new Date('2026-11-23T10:00:00Z');
  return { now: () => now, advance: (ms = 61_000) => (now = new Date(now.getTime() + ms)) };
}

t.test('(a) staff join by invitation only, accepted by the verified owner of the invited email', async (t) => {
  const time = clock();
  const runtime = await startRuntime(t, { now: time.now });
  const { app } = runtime;
  const admin = await staffMember(runtime, 'admin@clinic.example');
  const org = await organizationOf(runtime, admin, 'Clinic');
  const victim = await staffMember(runtime, 'victim@mail.example', { first_name: 'Vera' });

  const direct = await call(app, 'POST', `/api/v1/organizations/${org}/members`, { token: admin.token, body: { user_id: victim.id, role: 'specialist' } });
  t.equal(direct.status, 404, 'adding a user by id is gone');
  t.same(direct.body, NOT_FOUND);
  const members = await call(app, 'GET', `/api/v1/organizations/${org}/members`, { token: admin.token });
  t.same(members.body.map((m: { user: { id: string } }) => m.user.id), [admin.id], 'the victim was not added');

  const invitationId = await invite(runtime, org, admin, 'Victim@Mail.example', 'specialist');
  // Someone else registers with the invited email; nobody has verified it, so nothing stops them.
  const squatter = await staffMember(runtime, 'victim@mail.example');
  t.same((await call(app, 'GET', '/api/v1/invitations', { token: squatter.token })).body, [], 'an unverified email sees no invitation');
  t.same((await call(app, 'GET', '/api/v1/invitations', { token: victim.token })).body, [], 'not even its rightful owner, until verified');
  const squat = await call(app, 'POST', `/api/v1/invitations/${invitationId}/accept`, { token: squatter.token, body: {} });
  t.equal(squat.status, 404, 'an unverified email accepts nothing');
  t.same(squat.body, NOT_FOUND);
  t.equal((await call(app, 'POST', `/api/v1/invitations/${invitationId}/decline`, { token: squatter.token })).status, 404, 'nor declines');

  const outsider = await staffMember(runtime, 'outsider@mail.example');
  await verifyEmail(runtime, outsider);
  t.same((await call(app, 'GET', '/api/v1/invitations', { token: outsider.token })).body, [], 'a verified account sees only invitations to its own email');
  const stolen = await call(app, 'POST', `/api/v1/invitations/${invitationId}/accept`, { token: outsider.token, body: {} });
  t.equal(stolen.status, 404, "someone else's invitation is not found");
  t.same(stolen.body, NOT_FOUND);
  t.equal((await call(app, 'POST', `/api/v1/invitations/${invitationId}/decline`, { token: outsider.token })).status, 404);

  const pending = await call(app, 'GET', `/api/v1/organizations/${org}/invitations`, { token: admin.token });
  t.same(pending.body, [{ id: invitationId, email: 'victim@mail.example', role: 'specialist', status: 'pending', created_at: pending.body[0].created_at }], 'the organization sees only the email it typed');

  await verifyEmail(runtime, victim);
  const mine = await call(app, 'GET', '/api/v1/invitations', { token: victim.token });
  t.same(mine.body, [{ id: invitationId, organization: { id: org, name: 'Clinic' }, email: 'victim@mail.example', role: 'specialist', created_at: mine.body[0].created_at }], 'the invitee sees the organization by name');
  time.advance();
  const squatterVerify = await call(app, 'POST', '/api/v1/users/me/email/verify', { token: squatter.token });
  t.equal(squatterVerify.status, 409, 'the verified owner holds the email: no code for the squatter');
  t.same((await call(app, 'GET', '/api/v1/invitations', { token: squatter.token })).body, []);

  const accepted = await call(app, 'POST', `/api/v1/invitations/${invitationId}/accept`, { token: victim.token });
  t.equal(accepted.status, 200, 'accepted without a body: no work contact');
  t.same(accepted.body, {
    organization: { id: org, name: 'Clinic' },
    user: { id: victim.id, first_name: 'Vera', last_name: '', patronymic: '', work_email: null, work_phone: null },
    role: 'specialist',
    added_at: accepted.body.added_at,
  });
  t.equal((await call(app, 'POST', `/api/v1/invitations/${invitationId}/accept`, { token: victim.token, body: {} })).status, 404, 'an answered invitation is gone');
  const events = await runtime.deps.store.readStream(`organization-${org}`);
  t.same(events.slice(-2).map((e) => e.type), ['InvitationAccepted', 'MemberAdded'], 'accepted and added in one decision');
  t.same((await call(app, 'GET', `/api/v1/organizations/${org}/invitations`, { token: admin.token })).body, []);
});

t.test('(b) member and executor lists show names and work contacts, never login contacts or home addresses', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'olga.private@mail.example', { first_name: 'Olga', phone: '+79517586284', address: 'Home street 1' });
  const doctor = await staffMember(runtime, 'ivan.private@mail.example', { first_name: 'Ivan', last_name: 'Doctor', phone: '+79967486294', address: 'Home street 2' });
  const manager = await staffMember(runtime, 'max.private@mail.example', { first_name: 'Max', phone: '+79031234567', address: 'Home street 3' });
  const org = await organizationOf(runtime, owner);
  await addMember(runtime, org, owner, doctor, 'specialist', { work_email: 'doctor@clinic.example', work_phone: '+74951234567' });
  await addMember(runtime, org, owner, manager, 'manager');

  const secrets = ['olga.private', 'ivan.private', 'max.private', '79517586284', '79967486294', '79031234567', 'Home street'];
  const replies = {
    members: await call(app, 'GET', `/api/v1/organizations/${org}/members`, { token: manager.token }),
    executors: await call(app, 'GET', `/api/v1/organizations/${org}/executors`, { token: manager.token }),
    organization: await call(app, 'GET', `/api/v1/organizations/${org}`, { token: manager.token }),
    organizations: await call(app, 'GET', '/api/v1/organizations', { token: manager.token }),
  };
  for (const [name, reply] of Object.entries(replies)) {
    t.equal(reply.status, 200, name);
    const json = JSON.stringify(reply.body);
    t.same(secrets.filter((secret) => json.includes(secret)), [], `${name}: no login email, login phone or address`);
  }
  t.same(replies.executors.body, [{ id: doctor.id, first_name: 'Ivan', last_name: 'Doctor', patronymic: '', work_email: 'doctor@clinic.example', work_phone: '+74951234567' }]);
  t.same(replies.members.body.map((m: { user: object }) => Object.keys(m.user).sort()), Array(3).fill(['first_name', 'id', 'last_name', 'patronymic', 'work_email', 'work_phone']));
  t.same(replies.organization.body.creator, { id: owner.id, first_name: 'Olga', last_name: '', patronymic: '' }, 'the creator by name only');
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: doctor.token })).body.email, 'ivan.private@mail.example', 'the user still sees their own profile in full');
});

t.test('(c) a code opens only the address it was sent to, while the account still names it', async (t) => {
  const time = clock();
  const runtime = await startRuntime(t, { now: time.now });
  const { app } = runtime;
  const anna = await staffMember(runtime, 'e1@mail.example', { phone: '+79517586284' });

  let after = runtime.logs.length;
  t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: anna.token })).status, 202);
  const e1Code = await emailCode(runtime, 'e1@mail.example', after);
  const moved = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { email: 'e2@mail.example', current_password: STAFF_PASSWORD } });
  t.same(moved.body.success, { email: 'Email successfully changed' });
  const confirm = await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: anna.token, body: { code: e1Code } });
  t.equal(confirm.status, 400, 'the code sent to e1 does not confirm e2');
  t.same(confirm.body, { detail: 'Invalid code.', errors: { code: ['The code is not valid.'] } });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body.confirmed_email, false, 'e2 stays unconfirmed');

  after = runtime.logs.length;
  t.equal((await call(app, 'POST', '/api/v1/users/me/phone/verify', { token: anna.token })).status, 202);
  const p1Code = await smsCode(runtime, '+79517586284', after);
  t.same((await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { phone: '+79967486294', current_password: STAFF_PASSWORD } })).body.success, { phone: 'Phone successfully changed' });
  t.equal((await call(app, 'POST', '/api/v1/users/me/phone/confirm', { token: anna.token, body: { code: p1Code } })).status, 400, 'the code sent to P1 does not confirm P2');
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body.confirmed_phone, false);

  const owned = await runtime.connection.db.selectFrom('events').select('stream_id').where('type', '=', 'ContactOwned').execute();
  t.same(owned, [], 'neither e1, e2, P1 nor P2 is owned');

  // And the right code for the address still named works.
  time.advance();
  await verifyEmail(runtime, anna);
  await verifyPhone(runtime, anna, '+79967486294');
  t.match((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body, { email: 'e2@mail.example', confirmed_email: true, phone: '+79967486294', confirmed_phone: true });
});

t.test('(d) changing the password, email or phone needs the current password or a re-authentication code', async (t) => {
  const time = clock();
  const runtime = await startRuntime(t, { now: time.now });
  const { app } = runtime;
  const anna: StaffMember = await staffMember(runtime, 'anna@mail.example', { phone: '+79517586284' });
  const before = await streamLength(runtime, anna.id);

  const required = { detail: 'Invalid input.', errors: { current_password: ['Give your current password or a code to change the password, email or phone.'] } };
  for (const body of [{ password: 'a-new-password' }, { email: 'stolen@mail.example' }, { phone: '+79967486294' }, { email: 'stolen@mail.example', first_name: 'Eve' }]) {
    const refused = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body });
    t.equal(refused.status, 400, `${Object.keys(body).join(', ')} without proof`);
    t.same(refused.body, required);
  }
  const wrong = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { password: 'a-new-password', current_password: 'guessed-password' } });
  t.equal(wrong.status, 400);
  t.same(wrong.body, { detail: 'Invalid input.', errors: { current_password: ['The password is not correct.'] } });
  const badCode = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { email: 'stolen@mail.example', code: '123456' } });
  t.equal(badCode.status, 400);
  t.same(Object.keys(badCode.body.errors), ['code']);
  t.equal(await streamLength(runtime, anna.id), before, 'no event was appended');
  const hash = await getPasswordHash(runtime.deps.db, anna.id);
  t.ok(hash && (await verifyPassword(hash, STAFF_PASSWORD)), 'the password is unchanged');
  t.match((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body, { email: 'anna@mail.example', phone: '+79517586284', first_name: '' }, 'nothing changed, not even the name');
  const failures = await runtime.deps.db.selectFrom('login_failures').select(['account', 'failures']).execute();
  t.same(failures, [{ account: `reauth:${anna.id}`, failures: 1 }], 'a wrong password is counted against the account');

  const withPassword = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { phone: '+79967486294', current_password: STAFF_PASSWORD } });
  t.same(withPassword.body, { success: { phone: 'Phone successfully changed' }, error: {} }, 'with the current password');
  t.same(await runtime.deps.db.selectFrom('login_failures').select('account').execute(), [], 'and the failures are forgotten');

  const nowhere = await call(app, 'POST', '/api/v1/auth/reauthenticate', { token: anna.token });
  t.equal(nowhere.status, 409, 'no code without a confirmed email or phone');
  await verifyEmail(runtime, anna);
  let after = runtime.logs.length;
  const sent = await call(app, 'POST', '/api/v1/auth/reauthenticate', { token: anna.token });
  t.equal(sent.status, 202);
  t.same(sent.body, { detail: 'A code has been sent to your email.', channel: 'email', expires_in: 300 });
  const again = await call(app, 'POST', '/api/v1/auth/reauthenticate', { token: anna.token });
  t.equal(again.status, 429, 'capped like every code path');
  t.equal(again.headers['retry-after'], '60');
  const code = await emailCode(runtime, 'anna@mail.example', after);
  const withCode = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { email: 'anna@work.example', code } });
  t.same(withCode.body, { success: { email: 'Email successfully changed' }, error: {} }, 'with a code sent to the confirmed email');
  const reused = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { password: 'a-new-password', code } });
  t.equal(reused.status, 400, 'a code is used once');
  const events = await runtime.deps.store.readStream(`user-${anna.id}`);
  t.notMatch(JSON.stringify(events.map((e) => e.data)), code, 'the code is not in the log');

  // Now the email is unconfirmed again: a code goes to the confirmed phone, if any.
  time.advance();
  await verifyPhone(runtime, anna, '+79967486294');
  after = runtime.logs.length;
  const bySms = await call(app, 'POST', '/api/v1/auth/reauthenticate', { token: anna.token });
  t.equal(bySms.body.channel, 'sms');
  const smsed = await smsCode(runtime, '+79967486294', after);
  const password = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { password: 'a-new-password', code: smsed } });
  t.same(password.body, { success: { password: 'Password successfully changed' }, error: {} });
  const rehash = await getPasswordHash(runtime.deps.db, anna.id);
  t.ok(rehash && (await verifyPassword(rehash, 'a-new-password')));
});

t.test('(e) an unverified staff email stops nobody; whoever verifies it owns it; an owned one is taken', async (t) => {
  const time = clock();
  const runtime = await startRuntime(t, { now: time.now });
  const { app } = runtime;
  const squatter = await staffMember(runtime, 'real@mail.example');
  const registered = await call(app, 'POST', '/api/v1/users', { body: { email: 'real@mail.example', password: 'the-real-password' } });
  t.equal(registered.status, 201, 'registering an email another account merely claims is allowed');
  const owner: StaffMember = { id: registered.body.id, email: 'real@mail.example', token: await staffToken(runtime, registered.body.id) };

  // Both ask for a code; both codes land in the mailbox, which the owner reads.
  let after = runtime.logs.length;
  t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: squatter.token })).status, 202);
  const squatterCode = await emailCode(runtime, 'real@mail.example', after);
  time.advance();
  after = runtime.logs.length;
  t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: owner.token })).status, 202);
  const ownerCode = await emailCode(runtime, 'real@mail.example', after);
  t.equal((await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: squatter.token, body: { code: ownerCode } })).status, 400, "a code is bound to the account it was asked for");
  t.equal((await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: owner.token, body: { code: ownerCode } })).status, 200, 'the first to verify owns it');

  const late = await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: squatter.token, body: { code: squatterCode } });
  t.equal(late.status, 409, 'the other account can no longer verify it, even with its own code');
  t.same(late.body, { detail: 'This email is already taken.', errors: { email: ['This email is already taken.'] } });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: squatter.token })).body.confirmed_email, false);
  time.advance();
  t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: squatter.token })).status, 409, 'and gets no new code for it');

  const registration = await call(app, 'POST', '/api/v1/users', { body: { email: 'REAL@mail.example', password: 'yet-another-password' } });
  t.equal(registration.status, 409, 'a verified email is taken');
  t.same(registration.body, { detail: 'This email is already taken.', errors: { email: ['This email is already taken.'] } });
  const change = await call(app, 'PATCH', '/api/v1/users/me', { token: squatter.token, body: { email: 'other@mail.example', current_password: STAFF_PASSWORD } });
  t.same(change.body.success, { email: 'Email successfully changed' });
  const back = await call(app, 'PATCH', '/api/v1/users/me', { token: squatter.token, body: { email: 'real@mail.example', current_password: STAFF_PASSWORD } });
  t.same(back.body, { success: {}, error: { email: 'This email is already taken.' } }, 'nor may another account change to it');
  const owned = await runtime.connection.db.selectFrom('events').select(['stream_id', 'data']).where('type', '=', 'ContactOwned').execute();
  t.same(owned.map((e) => [e.stream_id, (e.data as { ownerId: string }).ownerId]), [['staff-email-real@mail.example', owner.id]]);
});
