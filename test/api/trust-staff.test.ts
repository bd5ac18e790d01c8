import t, { type Test } from 'tap';
import { getPasswordHash } from '../../src/auth/credentials.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';
import { addMember, emailCode, invite, organizationOf, STAFF_PASSWORD, staffMember, staffToken, verifyEmail, verifyPhone, type StaffMember } from '../helpers/staff.js';

// The staff side of docs/trust-model.md: each attack, performed over HTTP, and shown to fail.
const NOT_FOUND = { detail: 'Not found.' };

t.test('the staff trust model', async (t) => {
  let now = new Date('2026-11-23T10:00:00Z');
  /** Moves the clock past code cooldowns. */
  const advance = (ms = 61_000) => (now = new Date(now.getTime() + ms));
  const runtime = await startRuntime(t, { now: () => now });
  const { app, deps: { db } } = runtime;
  const streamLength = async (userId: string) => (await runtime.deps.store.readStream(`user-${userId}`)).length;
  const invitations = (who: StaffMember) => call(app, 'GET', '/api/v1/invitations', { token: who.token });
  const answer = (id: string, who: StaffMember, how: 'accept' | 'decline') => call(app, 'POST', `/api/v1/invitations/${id}/${how}`, { token: who.token, ...(how === 'accept' ? { body: {} } : {}) });
  /** (a) An admin's Clinic has invited Vera's email (typed in another case); neither Vera nor a squatter of her email has verified it. */
  const givenInvited = async () => {
    const admin = await staffMember(runtime, uniqueEmail('admin'));
    const org = await organizationOf(runtime, admin, 'Clinic');
    const email = uniqueEmail('victim', 'mail.example');
    const victim = await staffMember(runtime, email, { first_name: 'Vera' });
    const invitationId = await invite(runtime, org, admin, email.replace('victim', 'Victim'), 'specialist');
    // Someone else registers with the invited email; nobody has verified it, so nothing stops them.
    const squatter = await staffMember(runtime, email);
    return { admin, org, email, victim, invitationId, squatter };
  };
  t.test('(a) adding a user by id is gone: staff join by invitation only', async (t) => {
    const admin = await staffMember(runtime, uniqueEmail('admin'));
    const org = await organizationOf(runtime, admin, 'Clinic');
    const victim = await staffMember(runtime, uniqueEmail('victim', 'mail.example'));
    const direct = await call(app, 'POST', `/api/v1/organizations/${org}/members`, { token: admin.token, body: { user_id: victim.id, role: 'specialist' } });
    t.equal(direct.status, 404, 'adding a user by id is gone');
    t.same(direct.body, NOT_FOUND);
    const members = await call(app, 'GET', `/api/v1/organizations/${org}/members`, { token: admin.token });
    t.same(members.body.map((m: { user: { id: string } }) => m.user.id), [admin.id], 'the victim was not added');
  });
  t.test('(a) an unverified email sees no invitation and answers none', async (t) => {
    const { victim, invitationId, squatter } = await givenInvited();
    t.same((await invitations(squatter)).body, [], 'an unverified email sees no invitation');
    t.same((await invitations(victim)).body, [], 'not even its rightful owner, until verified');
    const squat = await answer(invitationId, squatter, 'accept');
    t.equal(squat.status, 404, 'an unverified email accepts nothing');
    t.same(squat.body, NOT_FOUND);
    t.equal((await answer(invitationId, squatter, 'decline')).status, 404, 'nor declines');
  });
  t.test("(a) a verified account sees only invitations to its own email: someone else's is not found", async (t) => {
    const { invitationId } = await givenInvited();
    const outsider = await staffMember(runtime, uniqueEmail('outsider', 'mail.example'));
    await verifyEmail(runtime, outsider);
    t.same((await invitations(outsider)).body, [], 'a verified account sees only invitations to its own email');
    const stolen = await answer(invitationId, outsider, 'accept');
    t.equal(stolen.status, 404, "someone else's invitation is not found");
    t.same(stolen.body, NOT_FOUND);
    t.equal((await answer(invitationId, outsider, 'decline')).status, 404);
  });
  t.test('(a) the organization sees only the email it typed', async (t) => {
    const { admin, org, email, invitationId } = await givenInvited();
    const pending = await call(app, 'GET', `/api/v1/organizations/${org}/invitations`, { token: admin.token });
    t.same(pending.body, [{ id: invitationId, email, role: 'specialist', status: 'pending', created_at: pending.body[0].created_at }], 'the organization sees only the email it typed');
  });
  t.test('(a) the verified invitee sees the organization by name; the squatter gets no code and sees nothing', async (t) => {
    const { org, email, victim, invitationId, squatter } = await givenInvited();
    await verifyEmail(runtime, victim);
    const mine = await invitations(victim);
    t.same(mine.body, [{ id: invitationId, organization: { id: org, name: 'Clinic' }, email, role: 'specialist', created_at: mine.body[0].created_at }], 'the invitee sees the organization by name');
    advance();
    const squatterVerify = await call(app, 'POST', '/api/v1/users/me/email/verify', { token: squatter.token });
    t.equal(squatterVerify.status, 409, 'the verified owner holds the email: no code for the squatter');
    t.same((await invitations(squatter)).body, []);
  });
  t.test('(a) the verified invitee accepts without a body, once: accepted and added in one decision', async (t) => {
    const { admin, org, victim, invitationId } = await givenInvited();
    await verifyEmail(runtime, victim);
    const accepted = await call(app, 'POST', `/api/v1/invitations/${invitationId}/accept`, { token: victim.token });
    t.equal(accepted.status, 200, 'accepted without a body: no work contact');
    const vera = { id: victim.id, first_name: 'Vera', last_name: '', patronymic: '', work_email: null, work_phone: null };
    t.same(accepted.body, { organization: { id: org, name: 'Clinic' }, user: vera, role: 'specialist', added_at: accepted.body.added_at });
    t.equal((await answer(invitationId, victim, 'accept')).status, 404, 'an answered invitation is gone');
    const events = await runtime.deps.store.readStream(`organization-${org}`);
    t.same(events.slice(-2).map((e) => e.type), ['InvitationAccepted', 'MemberAdded'], 'accepted and added in one decision');
    t.same((await call(app, 'GET', `/api/v1/organizations/${org}/invitations`, { token: admin.token })).body, []);
  });
  t.test('(b) member and executor lists show names and work contacts, never login contacts or home addresses', async (t) => {
    const owner = await staffMember(runtime, uniqueEmail('olga.private', 'mail.example'), { first_name: 'Olga', phone: uniquePhone(), address: 'Home street 1' });
    const doctor = await staffMember(runtime, uniqueEmail('ivan.private', 'mail.example'), { first_name: 'Ivan', last_name: 'Doctor', phone: uniquePhone(), address: 'Home street 2' });
    const manager = await staffMember(runtime, uniqueEmail('max.private', 'mail.example'), { first_name: 'Max', phone: uniquePhone(), address: 'Home street 3' });
    const org = await organizationOf(runtime, owner);
    await addMember(runtime, org, owner, doctor, 'specialist', { work_email: 'doctor@clinic.example', work_phone: '+74951234567' });
    await addMember(runtime, org, owner, manager, 'manager');
    const phones = await Promise.all([owner, doctor, manager].map(async (m) => ((await call(app, 'GET', '/api/v1/users/me', { token: m.token })).body.phone as string).slice(1)));
    const secrets = ['olga.private', 'ivan.private', 'max.private', ...phones, 'Home street'];
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
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: doctor.token })).body.email, doctor.email, 'the user still sees their own profile in full');
  });
  /** (c) Anna named e1 and P1, asked for codes to both, then changed to e2 and P2. */
  const givenMoved = async (t: Test) => {
    const e1 = uniqueEmail('e1', 'mail.example');
    const p1 = uniquePhone();
    const anna = await staffMember(runtime, e1, { phone: p1 });
    let after = runtime.logs.length;
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: anna.token })).status, 202);
    const e1Code = await emailCode(runtime, e1, after);
    after = runtime.logs.length;
    t.equal((await call(app, 'POST', '/api/v1/users/me/phone/verify', { token: anna.token })).status, 202);
    const p1Code = await smsCode(runtime, p1, after);
    const e2 = uniqueEmail('e2', 'mail.example');
    const p2 = uniquePhone();
    const moved = await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { email: e2, current_password: STAFF_PASSWORD } });
    t.same(moved.body.success, { email: 'Email successfully changed' });
    t.same((await call(app, 'PATCH', '/api/v1/users/me', { token: anna.token, body: { phone: p2, current_password: STAFF_PASSWORD } })).body.success, { phone: 'Phone successfully changed' });
    return { anna, e1, e2, p1, p2, e1Code, p1Code };
  };
  t.test('(c) the code sent to e1 does not confirm e2', async (t) => {
    const { anna, e1Code } = await givenMoved(t);
    const confirm = await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: anna.token, body: { code: e1Code } });
    t.equal(confirm.status, 400, 'the code sent to e1 does not confirm e2');
    t.same(confirm.body, { detail: 'Invalid code.', errors: { code: ['The code is not valid.'] } });
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body.confirmed_email, false, 'e2 stays unconfirmed');
  });
  t.test('(c) the code sent to P1 does not confirm P2', async (t) => {
    const { anna, p1Code } = await givenMoved(t);
    t.equal((await call(app, 'POST', '/api/v1/users/me/phone/confirm', { token: anna.token, body: { code: p1Code } })).status, 400, 'the code sent to P1 does not confirm P2');
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body.confirmed_phone, false);
  });
  t.test('(c) after the old codes, no address is owned; the right code for the address still named works', async (t) => {
    const { anna, e1, e2, p1, p2, e1Code, p1Code } = await givenMoved(t);
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: anna.token, body: { code: e1Code } })).status, 400);
    t.equal((await call(app, 'POST', '/api/v1/users/me/phone/confirm', { token: anna.token, body: { code: p1Code } })).status, 400);
    const streams = [runtime.deps.contacts.staffEmail(e1), runtime.deps.contacts.staffEmail(e2), runtime.deps.contacts.staffPhone(p1), runtime.deps.contacts.staffPhone(p2)];
    const owned = await db.selectFrom('events').select('stream_id').where('type', '=', 'ContactOwned').where('stream_id', 'in', streams).orderBy('global_position').execute();
    t.same(owned, [], 'neither e1, e2, P1 nor P2 is owned');
    advance();
    await verifyEmail(runtime, anna);
    await verifyPhone(runtime, anna, p2);
    t.match((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body, { email: e2, confirmed_email: true, phone: p2, confirmed_phone: true });
  });
  const patchMe = (who: StaffMember, body: Record<string, unknown>) => call(app, 'PATCH', '/api/v1/users/me', { token: who.token, body });
  const reauthenticate = (who: StaffMember) => call(app, 'POST', '/api/v1/auth/reauthenticate', { token: who.token });
  /** (d) Anna, with a phone; `unchanged` shows a refusal appended nothing and changed nothing. */
  const givenAnna = async () => {
    const email = uniqueEmail('anna', 'mail.example');
    const phone = uniquePhone();
    const anna = await staffMember(runtime, email, { phone });
    const before = await streamLength(anna.id);
    const unchanged = async (t: Test) => {
      t.equal(await streamLength(anna.id), before, 'no event was appended');
      const hash = await getPasswordHash(db, anna.id);
      t.ok(hash && (await verifyPassword(hash, STAFF_PASSWORD)), 'the password is unchanged');
      t.match((await call(app, 'GET', '/api/v1/users/me', { token: anna.token })).body, { email, phone, first_name: '' }, 'nothing changed, not even the name');
    };
    return { anna, email, unchanged };
  };
  const wrongPassword = async (t: Test, anna: StaffMember) => {
    const wrong = await patchMe(anna, { password: 'a-new-password', current_password: 'guessed-password' });
    t.equal(wrong.status, 400);
    t.same(wrong.body, { detail: 'Invalid input.', errors: { current_password: ['The password is not correct.'] } });
  };
  t.test('(d) changing the password, email or phone without proof is 400', async (t) => {
    const { anna, unchanged } = await givenAnna();
    const required = { detail: 'Invalid input.', errors: { current_password: ['Give your current password or a code to change the password, email or phone.'] } };
    for (const body of [{ password: 'a-new-password' }, { email: 'stolen@mail.example' }, { phone: '+79967486294' }, { email: 'stolen@mail.example', first_name: 'Eve' }]) {
      const refused = await patchMe(anna, body);
      t.equal(refused.status, 400, `${Object.keys(body).join(', ')} without proof`);
      t.same(refused.body, required);
    }
    await unchanged(t);
  });
  t.test('(d) a wrong current password is 400, counted against the account', async (t) => {
    const { anna, unchanged } = await givenAnna();
    await wrongPassword(t, anna);
    await unchanged(t);
    const failures = await db.selectFrom('login_failures').select(['account', 'failures']).where('account', '=', `reauth:${anna.id}`).execute();
    t.same(failures, [{ account: `reauth:${anna.id}`, failures: 1 }], 'a wrong password is counted against the account');
  });
  t.test('(d) a wrong code is 400', async (t) => {
    const { anna, unchanged } = await givenAnna();
    const badCode = await patchMe(anna, { email: 'stolen@mail.example', code: '123456' });
    t.equal(badCode.status, 400);
    t.same(Object.keys(badCode.body.errors), ['code']);
    await unchanged(t);
  });
  t.test('(d) the current password proves it, and the failures are forgotten', async (t) => {
    const { anna } = await givenAnna();
    await wrongPassword(t, anna);
    const withPassword = await patchMe(anna, { phone: uniquePhone(), current_password: STAFF_PASSWORD });
    t.same(withPassword.body, { success: { phone: 'Phone successfully changed' }, error: {} }, 'with the current password');
    t.same(await db.selectFrom('login_failures').select('account').where('account', '=', `reauth:${anna.id}`).execute(), [], 'and the failures are forgotten');
  });
  t.test('(d) no re-authentication code without a confirmed email or phone', async (t) => {
    const { anna } = await givenAnna();
    t.equal((await reauthenticate(anna)).status, 409, 'no code without a confirmed email or phone');
  });
  /** …who confirmed her email and asked for a re-authentication code. */
  const givenCodeByEmail = async (t: Test) => {
    const world = await givenAnna();
    await verifyEmail(runtime, world.anna);
    const after = runtime.logs.length;
    const sent = await reauthenticate(world.anna);
    t.equal(sent.status, 202);
    t.same(sent.body, { detail: 'A code has been sent to your email.', channel: 'email', expires_in: 300 });
    return { ...world, code: await emailCode(runtime, world.email, after) };
  };
  t.test('(d) a re-authentication code goes to the confirmed email, capped like every code path', async (t) => {
    const { anna } = await givenCodeByEmail(t);
    const again = await reauthenticate(anna);
    t.equal(again.status, 429, 'capped like every code path');
    t.equal(again.headers['retry-after'], '60');
  });
  t.test('(d) the code changes the email, once, and is not in the log', async (t) => {
    const { anna, code } = await givenCodeByEmail(t);
    const withCode = await patchMe(anna, { email: uniqueEmail('anna', 'work.example'), code });
    t.same(withCode.body, { success: { email: 'Email successfully changed' }, error: {} }, 'with a code sent to the confirmed email');
    t.equal((await patchMe(anna, { password: 'a-new-password', code })).status, 400, 'a code is used once');
    const events = await runtime.deps.store.readStream(`user-${anna.id}`);
    t.notMatch(JSON.stringify(events.map((e) => e.data)), code, 'the code is not in the log');
  });
  t.test('(d) with the email unconfirmed again, the code goes by SMS to the confirmed phone', async (t) => {
    const { anna, code } = await givenCodeByEmail(t);
    t.same((await patchMe(anna, { email: uniqueEmail('anna', 'work.example'), code })).body.success, { email: 'Email successfully changed' });
    const phone = uniquePhone();
    t.same((await patchMe(anna, { phone, current_password: STAFF_PASSWORD })).body.success, { phone: 'Phone successfully changed' });
    advance();
    await verifyPhone(runtime, anna, phone);
    const after = runtime.logs.length;
    const bySms = await reauthenticate(anna);
    t.equal(bySms.body.channel, 'sms');
    const smsed = await smsCode(runtime, phone, after);
    const password = await patchMe(anna, { password: 'a-new-password', code: smsed });
    t.same(password.body, { success: { password: 'Password successfully changed' }, error: {} });
    const rehash = await getPasswordHash(db, anna.id);
    t.ok(rehash && (await verifyPassword(rehash, 'a-new-password')));
  });
  /** (e) A squatter named the email first; its real owner registered it too, asked for a code after the squatter, and confirmed it. */
  const givenOwned = async (t: Test) => {
    const email = uniqueEmail('real', 'mail.example');
    const squatter = await staffMember(runtime, email);
    const registered = await call(app, 'POST', '/api/v1/users', { body: { email, password: 'the-real-password' } });
    t.equal(registered.status, 201, 'registering an email another account merely claims is allowed');
    const owner: StaffMember = { id: registered.body.id, email, token: await staffToken(runtime, registered.body.id) };
    // Both ask for a code; both codes land in the mailbox, which the owner reads.
    let after = runtime.logs.length;
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: squatter.token })).status, 202);
    const squatterCode = await emailCode(runtime, email, after);
    advance();
    after = runtime.logs.length;
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: owner.token })).status, 202);
    const ownerCode = await emailCode(runtime, email, after);
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: squatter.token, body: { code: ownerCode } })).status, 400, 'a code is bound to the account it was asked for');
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: owner.token, body: { code: ownerCode } })).status, 200, 'the first to verify owns it');
    return { email, squatter, owner, squatterCode };
  };
  const taken = { detail: 'This email is already taken.', errors: { email: ['This email is already taken.'] } };
  t.test('(e) an unverified staff email stops nobody; whoever verifies it first owns it', async (t) => {
    const { email, owner } = await givenOwned(t);
    const owned = await db.selectFrom('events').select(['stream_id', 'data']).where('type', '=', 'ContactOwned').where('stream_id', '=', runtime.deps.contacts.staffEmail(email)).orderBy('global_position').execute();
    t.same(owned.map((e) => [e.stream_id, (e.data as { ownerId: string }).ownerId]), [[runtime.deps.contacts.staffEmail(email), owner.id]]);
  });
  t.test('(e) the other account can no longer verify an owned email, even with its own code, nor get a new one', async (t) => {
    const { squatter, squatterCode } = await givenOwned(t);
    const late = await call(app, 'POST', '/api/v1/users/me/email/confirm', { token: squatter.token, body: { code: squatterCode } });
    t.equal(late.status, 409, 'the other account can no longer verify it, even with its own code');
    t.same(late.body, taken);
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: squatter.token })).body.confirmed_email, false);
    advance();
    t.equal((await call(app, 'POST', '/api/v1/users/me/email/verify', { token: squatter.token })).status, 409, 'and gets no new code for it');
  });
  t.test('(e) an owned email is taken: no registration names it', async (t) => {
    const { email } = await givenOwned(t);
    const registration = await call(app, 'POST', '/api/v1/users', { body: { email: email.toUpperCase(), password: 'yet-another-password' } });
    t.equal(registration.status, 409, 'a verified email is taken');
    t.same(registration.body, taken);
  });
  t.test('(e) nor may another account change to an owned email', async (t) => {
    const { email, squatter } = await givenOwned(t);
    const change = await patchMe(squatter, { email: uniqueEmail('other', 'mail.example'), current_password: STAFF_PASSWORD });
    t.same(change.body.success, { email: 'Email successfully changed' });
    const back = await patchMe(squatter, { email, current_password: STAFF_PASSWORD });
    t.same(back.body, { success: {}, error: { email: 'This email is already taken.' } }, 'nor may another account change to it');
  });
});
