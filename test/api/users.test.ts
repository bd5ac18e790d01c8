import t, { type Test } from 'tap';
import { getPasswordHash } from '../../src/auth/credentials.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { DomainError } from '../../src/commands/errors.js';
import { verifyStaffContact } from '../../src/workflows/identity/staff-contacts.js';
import { staffLoginCandidates } from '../../src/projections/identity/users.js';
import { national, uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, loginOf, organizationOf, staffMember, staffToken, verifyEmail, verifyPhone } from '../helpers/staff.js';

/** Anna's registration, with an email and a phone (national notation) of her own; `e164` is that phone as stored. */
function anna() {
  const e164 = uniquePhone();
  return { email: uniqueEmail('Anna', 'Clinic.example'), password: 'anna-password', first_name: 'Anna', last_name: 'Petrova', patronymic: 'Ivanovna', address: 'Lenina 1', phone: national(e164), e164 };
}

t.test('staff users', async (t) => {
  let offset = 0; // real time, moved past cooldowns: "the oldest three" needs registrations apart in time
  const runtime = await startRuntime(t, { now: () => new Date(Date.now() + offset) });
  const { app, connection } = runtime;
  const { db } = connection;

  /** Anna registered through POST /api/v1/users. */
  const givenRegistered = async (t: Test) => {
    const { e164, ...body } = anna();
    const created = await call(app, 'POST', '/api/v1/users', { body });
    t.equal(created.status, 201);
    return { body, e164, created, id: created.body.id as string, email: body.email.toLowerCase() };
  };

  t.test('a staff user registers: 201 with the profile', async (t) => {
    const { created, email, e164 } = await givenRegistered(t);
    t.same(created.body, { id: created.body.id, first_name: 'Anna', last_name: 'Petrova', patronymic: 'Ivanovna', address: 'Lenina 1', email, phone: e164, confirmed_email: false, confirmed_phone: false, created_at: created.body.created_at, updated_at: created.body.updated_at });
    t.match(created.body.id, /^[0-9a-f-]{36}$/);
  });
  t.test('the staff user reads their profile as registered', async (t) => {
    const { created, id } = await givenRegistered(t);
    const me = await call(app, 'GET', '/api/v1/users/me', { token: await staffToken(runtime, id) });
    t.equal(me.status, 200);
    t.same(me.body, created.body, 'the profile as registered');
  });
  t.test('a login finds the account by email in any case, and by phone in E.164', async (t) => {
    const { id, email, e164 } = await givenRegistered(t);
    t.equal(await loginOf(db, { email: email.toUpperCase() }), id, 'found by email, any case');
    t.equal(await loginOf(db, { phone: e164 }), id, 'found by phone in E.164');
  });
  t.test('an unverified email or phone is a claim in the user stream alone; no password in the log', async (t) => {
    const { id, email, e164 } = await givenRegistered(t);
    const events = await db.selectFrom('events').select(['stream_id', 'type', 'data']).where('stream_id', 'in', [`user-${id}`, `staff-email-${email}`, `staff-phone-${e164}`]).orderBy('global_position').execute();
    t.same(events.map((e) => [e.stream_id, e.type]), [[`user-${id}`, 'UserRegistered']], 'an unverified email or phone is a claim in the user stream alone: no contact stream owns it');
    t.notMatch(JSON.stringify(events), /anna-password|argon2/, 'neither the password nor its hash is in the log');
  });
  t.test('the password is stored as a hash that verifies it', async (t) => {
    const { id } = await givenRegistered(t);
    const credentials = await db.selectFrom('credentials').selectAll().where('subject_id', '=', id).executeTakeFirstOrThrow();
    t.equal(credentials.subject_kind, 'user');
    t.ok(await verifyPassword(credentials.password_hash, 'anna-password'));
  });

  /** Anna registered and verified both her email and her phone: she owns them. */
  const givenOwner = async () => {
    const { e164, ...body } = anna();
    const owner = await staffMember(runtime, body.email, { phone: body.phone, password: body.password });
    await verifyEmail(runtime, owner);
    await verifyPhone(runtime, owner, e164);
    return { owner, body, e164 };
  };

  t.test('an email someone confirmed is 409', async (t) => {
    const { owner } = await givenOwner();
    const sameEmail = await call(app, 'POST', '/api/v1/users', { body: { email: owner.email.toUpperCase(), password: 'other-password' } });
    t.equal(sameEmail.status, 409);
    t.same(sameEmail.body, { detail: 'This email is already taken.', errors: { email: ['This email is already taken.'] } });
  });
  t.test('a phone someone confirmed is 409', async (t) => {
    const { e164 } = await givenOwner();
    const samePhone = await call(app, 'POST', '/api/v1/users', { body: { email: uniqueEmail('boris'), password: 'other-password', phone: e164 } });
    t.equal(samePhone.status, 409);
    t.same(samePhone.body.errors, { phone: ['This phone number is already taken.'] });
  });
  t.test('every taken field is named; while she owns them, nobody registers them', async (t) => {
    const { body } = await givenOwner();
    const both = await call(app, 'POST', '/api/v1/users', { body: { email: body.email, password: 'other-password', phone: body.phone } });
    t.equal(both.status, 409);
    t.same(Object.keys(both.body.errors).sort(), ['email', 'phone'], 'every taken field is named');
    t.equal((await call(app, 'POST', '/api/v1/users', { body })).status, 409, 'while she owns them, nobody registers them');
  });
  t.test('an email and phone merely claimed by another account stop nobody', async (t) => {
    const claimed = { email: uniqueEmail('claimed'), phone: uniquePhone() };
    const claimer = await call(app, 'POST', '/api/v1/users', { body: { ...claimed, password: 'claimer-password' } });
    t.equal(claimer.status, 201);
    const again = await call(app, 'POST', '/api/v1/users', { body: { ...claimed, password: 'another-password' } });
    t.equal(again.status, 201, 'an unverified email and phone of another account do not block');
  });
  t.test('ten accounts naming one email verify it at once: exactly one owns it', async (t) => {
    const { deps } = runtime;
    const race = uniqueEmail('race');
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await call(app, 'POST', '/api/v1/users', { body: { email: i % 2 ? race : race.toUpperCase(), password: `password-${i}` } });
      t.equal(created.status, 201);
      ids.push(created.body.id);
    }
    const metadata = { actor: { kind: 'system' as const }, correlationId: 'race', causationId: 'race' };
    // Each as if its code had just been confirmed (the codes themselves are one per destination per minute).
    const outcomes = await Promise.allSettled(ids.map((userId) => verifyStaffContact(deps, { userId, field: 'email', value: race, now: deps.now().toISOString() }, metadata)));
    t.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one owns it');
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    t.ok(refused.every((e) => e instanceof DomainError && e.kind === 'conflict' && e.fields?.email?.[0] === 'This email is already taken.'), 'nine are told it is taken');
    const owned = await deps.db.selectFrom('events').select('data').where('stream_id', '=', `staff-email-${race}`).orderBy('global_position').execute();
    t.equal(owned.length, 1, 'one ContactOwned');
    const winner = (owned[0]!.data as { ownerId: string }).ownerId;
    await deps.awaitProjections((await deps.store.readStream(`user-${winner}`)).at(-1)?.position, ['users']);
    const confirmed = await deps.db.selectFrom('users').select('id').where('confirmed_email', '=', true).where('id', 'in', ids).execute();
    t.same(confirmed.map((u) => u.id), [winner], 'and only the owner is confirmed');
    t.same(await staffLoginCandidates(deps.db, { email: race.toUpperCase() }), [winner], 'a login by that email is now checked against the owner alone');
  });

  t.test('login candidates: the owner alone, else the oldest three that name it', async (t) => {
    // Four accounts name one email, the first two one phone; nobody verified either.
    const email = uniqueEmail('shared');
    const phone = uniquePhone();
    const first = await staffMember(runtime, email, { phone });
    const second = await staffMember(runtime, email, { phone });
    const third = await staffMember(runtime, email);
    await staffMember(runtime, email);
    t.same(await staffLoginCandidates(db, { email: email.toUpperCase() }), [first.id, second.id, third.id], 'unverified: the oldest three');
    t.same(await staffLoginCandidates(db, { phone }), [first.id, second.id]);
    t.same(await staffLoginCandidates(db, { email: uniqueEmail('nobody') }), []);
    await verifyEmail(runtime, third);
    await verifyPhone(runtime, second, phone);
    t.same(await staffLoginCandidates(db, { email }), [third.id], 'verified: the owner alone');
    t.same(await staffLoginCandidates(db, { phone }), [second.id]);
  });

  /** Anna, signed in; `taken` is an email somebody else verified. */
  const givenSignedIn = async (t: Test) => {
    const registered = await givenRegistered(t);
    const other = await staffMember(runtime, uniqueEmail('taken'));
    await verifyEmail(runtime, other);
    return { ...registered, taken: other.email, token: await staffToken(runtime, registered.id) };
  };
  const patchMe = (token: string, body: Record<string, unknown>) => call(app, 'PATCH', '/api/v1/users/me', { token, body });

  t.test('PATCH /users/me reports per field, applying what it can, and records only what changed', async (t) => {
    const { id, e164, taken, token, email } = await givenSignedIn(t);
    const newPhone = uniquePhone();
    const changed = await patchMe(token, { first_name: 'Anya', last_name: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', email: taken.toUpperCase(), phone: newPhone, current_password: 'anna-password' });
    t.equal(changed.status, 200);
    t.same(changed.body, { success: { first_name: 'First name successfully changed', last_name: 'Last name successfully changed', patronymic: 'Patronymic successfully changed', address: 'Address successfully changed', phone: 'Phone successfully changed' }, error: { email: 'This email is already taken.' } });
    const profile = (await call(app, 'GET', '/api/v1/users/me', { token })).body;
    t.match(profile, { first_name: 'Anya', last_name: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', email, phone: newPhone });
    t.ok(Date.parse(profile.updated_at) >= Date.parse(profile.created_at));
    t.equal(await loginOf(db, { phone: e164 }), undefined, 'the old phone is no longer hers');
    const changes = (await runtime.store.readStream(`user-${id}`)).filter((e) => e.type === 'UserProfileChanged');
    t.same((changes[0]?.data as { changes: unknown }).changes, { firstName: 'Anya', lastName: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', phone: newPhone }, 'the event carries only what changed');
  });
  t.test('names, and an email that does not change, need no password', async (t) => {
    const { token, email } = await givenSignedIn(t);
    const names = await patchMe(token, { first_name: 'Anna', email });
    t.same(names.body, { success: { first_name: 'First name successfully changed', email: 'Email successfully changed' }, error: {} }, 'names, and an email that does not change, need no password');
  });
  t.test('an owned email given up is released: the next one to verify it owns it', async (t) => {
    const { id, token, email } = await givenSignedIn(t);
    await verifyEmail(runtime, { id, email, token });
    const next = uniqueEmail('anya');
    const changed = await patchMe(token, { email: next, current_password: 'anna-password' });
    t.same(changed.body, { success: { email: 'Email successfully changed' }, error: {} });
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token })).body.email, next);
    const released = await db.selectFrom('events').select('type').where('stream_id', '=', `staff-email-${email}`).orderBy('version').execute();
    t.same(released.map((e) => e.type), ['ContactOwned', 'ContactReleased'], 'the old email was released after the change');
    const successor = await staffMember(runtime, email);
    offset += 61_000; // past the resend cooldown of that address
    await verifyEmail(runtime, successor);
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: successor.token })).body.confirmed_email, true, 'the successor owns it');
  });
  t.test('an empty PATCH changes nothing', async (t) => {
    const { token } = await givenSignedIn(t);
    t.same((await patchMe(token, {})).body, { success: {}, error: {} });
  });
  t.test('an invalid email and password are 400, both named', async (t) => {
    const { token } = await givenSignedIn(t);
    const invalid = await patchMe(token, { email: 'nope', password: 'short' });
    t.equal(invalid.status, 400);
    t.same(Object.keys(invalid.body.errors).sort(), ['email', 'password']);
  });

  /** Anna, with two sessions, changed her password. */
  const givenPasswordChanged = async (t: Test) => {
    const { id } = await givenRegistered(t);
    const token = await staffToken(runtime, id);
    const other = await staffToken(runtime, id);
    const changed = await patchMe(token, { password: 'a-new-password', current_password: 'anna-password' });
    t.same(changed.body, { success: { password: 'Password successfully changed' }, error: {} });
    return { id, token, other };
  };

  t.test('a password change ends every session', async (t) => {
    const { token, other } = await givenPasswordChanged(t);
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token })).status, 403, 'this session ended');
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: other })).status, 403, 'and every other one');
  });
  t.test('the new password is stored; the event says that it changed, nothing more', async (t) => {
    const { id } = await givenPasswordChanged(t);
    const hash = await getPasswordHash(db, id);
    t.ok(hash && (await verifyPassword(hash, 'a-new-password')), 'the new password verifies');
    const events = await db.selectFrom('events').select(['type', 'data']).where('stream_id', '=', `user-${id}`).where('type', '=', 'UserPasswordChanged').orderBy('global_position').execute();
    t.equal(events.length, 1);
    t.notMatch(JSON.stringify(events), /a-new-password|argon2/, 'the event says that it changed, nothing more');
  });
  t.test('DELETE /users/me with a token alone is 400, and the account stays', async (t) => {
    const { owner } = await givenOwner();
    const bare = await call(app, 'DELETE', '/api/v1/users/me', { token: owner.token, body: {} });
    t.equal(bare.status, 400, 'a token alone does not delete the account');
    t.ok(bare.body.errors.current_password);
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: owner.token })).status, 200, 'which is still there');
  });

  /** …and deleted her account with her password. */
  const givenDeleted = async (t: Test) => {
    const world = await givenOwner();
    const deleted = await call(app, 'DELETE', '/api/v1/users/me', { token: world.owner.token, body: { current_password: world.body.password } });
    t.equal(deleted.status, 200);
    t.same(deleted.body, { detail: 'Account deleted.' });
    return world;
  };

  t.test('DELETE /users/me ends the session, keeps the row marked deleted, and no login finds the account', async (t) => {
    const { owner, body } = await givenDeleted(t);
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: owner.token })).status, 403, 'the session ended');
    const row = await db.selectFrom('users').select(['deleted_at']).where('id', '=', owner.id).executeTakeFirstOrThrow();
    t.ok(row.deleted_at, 'the row stays, marked deleted');
    t.equal(await loginOf(db, { email: body.email }), undefined, 'login lookups no longer find the account');
    t.same(await staffLoginCandidates(db, { email: body.email }), []);
    t.equal(await getPasswordHash(db, owner.id), undefined, 'the password hash is gone');
    const login = await call(app, 'POST', '/api/v1/auth/token', { body: { email: body.email, password: body.password } });
    t.equal(login.status, 401, 'logging in fails');
  });
  t.test('after DELETE /users/me the email and the phone are free to register again', async (t) => {
    const { owner, body, e164 } = await givenDeleted(t);
    const again = await call(app, 'POST', '/api/v1/users', { body });
    t.equal(again.status, 201, 'the email and the phone can be registered again');
    t.equal(await loginOf(db, { email: body.email }), again.body.id);
    const streams = await db.selectFrom('events').select(['stream_id', 'type']).where('stream_id', 'in', [`staff-email-${owner.email}`, `staff-phone-${e164}`]).orderBy('global_position').execute();
    t.same(streams.map((e) => e.type), ['ContactOwned', 'ContactOwned', 'ContactReleased', 'ContactReleased'], 'owned by verifying, released by deleting');
  });

  /** An owner of Clinic (with a co-owner) and of Studio (alone); a manager in both. */
  const givenMemberships = async () => {
    const owner = await staffMember(runtime, uniqueEmail('owner'));
    const coOwner = await staffMember(runtime, uniqueEmail('co-owner'));
    const manager = await staffMember(runtime, uniqueEmail('manager'));
    const clinic = await organizationOf(runtime, owner, 'Clinic');
    const studio = await organizationOf(runtime, owner, 'Studio');
    await addMember(runtime, clinic, owner, coOwner, 'owner');
    await addMember(runtime, clinic, owner, manager, 'manager');
    await addMember(runtime, studio, owner, manager, 'manager');
    const members = async (org: string) => ((await call(app, 'GET', `/api/v1/organizations/${org}/members`, { token: owner.token })).body as { user: { id: string }; role: string }[]).map((m) => `${m.user.id === owner.id ? 'owner' : m.user.id === coOwner.id ? 'co-owner' : 'manager'}:${m.role}`).sort();
    const remove = (who: { token: string }) => call(app, 'DELETE', '/api/v1/users/me', { token: who.token, body: { current_password: 'staff-password' } });
    return { owner, coOwner, manager, clinic, studio, members, remove };
  };

  t.test('the only owner of an organization cannot delete their account, and nothing changes', async (t) => {
    const { owner, clinic, members, remove } = await givenMemberships();
    const refused = await remove(owner);
    t.equal(refused.status, 409, 'the only owner of Studio cannot go');
    t.same(refused.body, { detail: 'You are the only owner of Studio: make someone else an owner first.' });
    t.equal((await call(app, 'GET', '/api/v1/users/me', { token: owner.token })).status, 200, 'and nothing changed: the account still works');
    t.same(await members(clinic), ['co-owner:owner', 'manager:manager', 'owner:owner']);
  });
  t.test('a deleted member leaves every organization, each recording it in its own stream', async (t) => {
    const { manager, clinic, studio, members, remove } = await givenMemberships();
    t.equal((await remove(manager)).status, 200);
    t.same(await members(clinic), ['co-owner:owner', 'owner:owner'], 'a deleted manager leaves the clinic');
    t.same(await members(studio), ['owner:owner'], 'and the studio');
    const removed = await db.selectFrom('events').select(['stream_id', 'data']).where('type', '=', 'MemberRemoved').where('stream_id', 'in', [`organization-${clinic}`, `organization-${studio}`]).orderBy('global_position').execute();
    t.same(removed.map((e) => [e.stream_id, (e.data as { userId: string }).userId]).sort(), [[`organization-${clinic}`, manager.id], [`organization-${studio}`, manager.id]].sort(), 'each organization recorded the departure in its own stream');
  });
  t.test('one of two owners may delete their account, and no longer counts as an owner', async (t) => {
    const { owner, coOwner, clinic, members, remove } = await givenMemberships();
    t.equal((await remove(coOwner)).status, 200, 'one of two owners may go');
    t.same(await members(clinic), ['manager:manager', 'owner:owner']);
    const leave = await call(app, 'DELETE', `/api/v1/organizations/${clinic}/members/${owner.id}`, { token: owner.token });
    t.equal(leave.status, 409, 'the deleted co-owner no longer counts: the remaining owner is the last one');
  });
});

t.test('registration input: every missing or invalid field at once, and nothing written', async (t) => {
  // A world of its own: "nothing written" counts every event.
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const empty = await call(app, 'POST', '/api/v1/users', { body: {} });
  t.equal(empty.status, 400);
  t.same(empty.body, { detail: 'Invalid input.', errors: { email: ['This field is required.'], password: ['This field is required.'] } });
  const bad = await call(app, 'POST', '/api/v1/users', { body: { email: 'not-an-email', password: 'short', phone: '12345', first_name: 'x'.repeat(151) } });
  t.equal(bad.status, 400);
  t.same(bad.body.errors, { email: ['Enter a valid email address.'], password: ['Ensure this field has at least 8 characters.'], phone: ['Enter a valid phone number.'], first_name: ['Ensure this field has no more than 150 characters.'] });
  t.equal((await runtime.connection.db.selectFrom('events').select('event_id').where('stream_id', 'not like', 'migration-%').execute()).length, 0, 'no event was written');
});
