import t from 'tap';
import { getPasswordHash } from '../../src/auth/credentials.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { DomainError } from '../../src/commands/errors.js';
import { verifyStaffContact } from '../../src/workflows/identity/staff-contacts.js';
import { staffLoginCandidates } from '../../src/projections/identity/users.js';

import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, loginOf, organizationOf, staffMember, staffToken, verifyEmail, verifyPhone } from '../helpers/staff.js';

const anna = { email: 'Anna@Clinic.example', password: 'anna-password', first_name: 'Anna', last_name: 'Petrova', patronymic: 'Ivanovna', address: 'Lenina 1', phone: '8 (951) 758-62-84' };

t.test('a staff user registers and reads their profile', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const created = await call(app, 'POST', '/api/v1/users', { body: anna });
  t.equal(created.status, 201);
  t.same(created.body, {
    id: created.body.id,
    first_name: 'Anna',
    last_name: 'Petrova',
    patronymic: 'Ivanovna',
    address: 'Lenina 1',
    email: 'anna@clinic.example',
    phone: '+79517586284',
    confirmed_email: false,
    confirmed_phone: false,
    created_at: created.body.created_at,
    updated_at: created.body.updated_at,
  });
  t.match(created.body.id, /^[0-9a-f-]{36}$/);

  const token = await staffToken(runtime, created.body.id);
  const me = await call(app, 'GET', '/api/v1/users/me', { token });
  t.equal(me.status, 200);
  t.same(me.body, created.body, 'the profile as registered');

  t.equal(await loginOf(connection.db, { email: 'ANNA@clinic.example' }), created.body.id, 'found by email, any case');
  t.equal(await loginOf(connection.db, { phone: '+79517586284' }), created.body.id, 'found by phone in E.164');

  const events = await connection.db.selectFrom('events').select(['stream_id', 'type', 'data']).where('stream_id', 'not like', 'migration-%').orderBy('global_position').execute();
  t.same(events.map((e) => [e.stream_id, e.type]), [[`user-${created.body.id}`, 'UserRegistered']], 'an unverified email or phone is a claim in the user stream alone: no contact stream owns it');
  t.notMatch(JSON.stringify(events), /anna-password|argon2/, 'neither the password nor its hash is in the log');
  const credentials = await connection.db.selectFrom('credentials').selectAll().where('subject_id', '=', created.body.id).executeTakeFirstOrThrow();
  t.equal(credentials.subject_kind, 'user');
  t.ok(await verifyPassword(credentials.password_hash, 'anna-password'));
});

t.test('registration input: every missing or invalid field at once, and nothing written', async (t) => {
  const { app, connection } = await startRuntime(t);
  const empty = await call(app, 'POST', '/api/v1/users', { body: {} });
  t.equal(empty.status, 400);
  t.same(empty.body, { detail: 'Invalid input.', errors: { email: ['This field is required.'], password: ['This field is required.'] } });

  const bad = await call(app, 'POST', '/api/v1/users', { body: { email: 'not-an-email', password: 'short', phone: '12345', first_name: 'x'.repeat(151) } });
  t.equal(bad.status, 400);
  t.same(bad.body.errors, {
    email: ['Enter a valid email address.'],
    password: ['Ensure this field has at least 8 characters.'],
    phone: ['Enter a valid phone number.'],
    first_name: ['Ensure this field has no more than 150 characters.'],
  });
  t.equal((await connection.db.selectFrom('events').select('event_id').where('stream_id', 'not like', 'migration-%').execute()).length, 0, 'no event was written');
});

t.test('an email or phone someone CONFIRMED is 409; one merely claimed stops nobody', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, anna.email, { phone: anna.phone });
  await verifyEmail(runtime, owner);
  await verifyPhone(runtime, owner, '+79517586284');

  const sameEmail = await call(app, 'POST', '/api/v1/users', { body: { email: 'ANNA@clinic.example', password: 'other-password' } });
  t.equal(sameEmail.status, 409);
  t.same(sameEmail.body, { detail: 'This email is already taken.', errors: { email: ['This email is already taken.'] } });
  const samePhone = await call(app, 'POST', '/api/v1/users', { body: { email: 'boris@clinic.example', password: 'other-password', phone: '+79517586284' } });
  t.equal(samePhone.status, 409);
  t.same(samePhone.body.errors, { phone: ['This phone number is already taken.'] });
  const both = await call(app, 'POST', '/api/v1/users', { body: { email: anna.email, password: 'other-password', phone: anna.phone } });
  t.equal(both.status, 409);
  t.same(Object.keys(both.body.errors).sort(), ['email', 'phone'], 'every taken field is named');

  const claimer = await call(app, 'POST', '/api/v1/users', { body: { email: 'claimed@clinic.example', password: 'claimer-password', phone: '+79967486294' } });
  t.equal(claimer.status, 201);
  const again = await call(app, 'POST', '/api/v1/users', { body: { email: 'claimed@clinic.example', password: 'another-password', phone: '+79967486294' } });
  t.equal(again.status, 201, 'an unverified email and phone of another account do not block');
});

t.test('ten accounts naming one email verify it at once: exactly one owns it', async (t) => {
  const runtime = await startRuntime(t);
  const { app, deps } = runtime;
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const created = await call(app, 'POST', '/api/v1/users', { body: { email: i % 2 ? 'race@clinic.example' : 'RACE@clinic.example', password: `password-${i}` } });
    t.equal(created.status, 201);
    ids.push(created.body.id);
  }
  const metadata = { actor: { kind: 'system' as const }, correlationId: 'race', causationId: 'race' };
  // Each as if its code had just been confirmed (the codes themselves are one per destination per minute).
  const outcomes = await Promise.allSettled(ids.map((userId) => verifyStaffContact(deps, { userId, field: 'email', value: 'race@clinic.example', now: deps.now().toISOString() }, metadata)));
  t.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one owns it');
  const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
  t.ok(refused.every((e) => e instanceof DomainError && e.kind === 'conflict' && e.fields?.email?.[0] === 'This email is already taken.'), 'nine are told it is taken');
  const owned = await deps.db.selectFrom('events').select('data').where('stream_id', '=', 'staff-email-race@clinic.example').execute();
  t.equal(owned.length, 1, 'one ContactOwned');
  const winner = (owned[0]!.data as { ownerId: string }).ownerId;
  await deps.awaitProjections((await deps.store.readStream(`user-${winner}`)).at(-1)?.position, ['users']);
  const confirmed = await deps.db.selectFrom('users').select('id').where('confirmed_email', '=', true).execute();
  t.same(confirmed.map((u) => u.id), [winner], 'and only the owner is confirmed');
  t.same(await staffLoginCandidates(deps.db, { email: 'Race@clinic.example' }), [winner], 'a login by that email is now checked against the owner alone');
});

t.test('login candidates: the owner alone, else the oldest three that name it', async (t) => {
  const runtime = await startRuntime(t);
  const { db } = runtime.deps;
  const first = await staffMember(runtime, 'shared@clinic.example', { phone: '+79517586284' });
  const second = await staffMember(runtime, 'shared@clinic.example', { phone: '+79517586284' });
  const third = await staffMember(runtime, 'shared@clinic.example');
  await staffMember(runtime, 'shared@clinic.example');
  t.same(await staffLoginCandidates(db, { email: 'SHARED@clinic.example' }), [first.id, second.id, third.id], 'unverified: the oldest three');
  t.same(await staffLoginCandidates(db, { phone: '+79517586284' }), [first.id, second.id]);
  t.same(await staffLoginCandidates(db, { email: 'nobody@clinic.example' }), []);
  await verifyEmail(runtime, third);
  await verifyPhone(runtime, second, '+79517586284');
  t.same(await staffLoginCandidates(db, { email: 'shared@clinic.example' }), [third.id], 'verified: the owner alone');
  t.same(await staffLoginCandidates(db, { phone: '+79517586284' }), [second.id]);
});

t.test('PATCH /users/me reports per field, applying what it can', async (t) => {
  let clock = new Date('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app, connection } = runtime;
  const me = (await call(app, 'POST', '/api/v1/users', { body: anna })).body;
  const other = await staffMember(runtime, 'taken@clinic.example');
  await verifyEmail(runtime, other);
  const token = await staffToken(runtime, me.id);

  const changed = await call(app, 'PATCH', '/api/v1/users/me', {
    token,
    body: { first_name: 'Anya', last_name: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', email: 'TAKEN@clinic.example', phone: '+79967486294', current_password: anna.password },
  });
  t.equal(changed.status, 200);
  t.same(changed.body, {
    success: {
      first_name: 'First name successfully changed',
      last_name: 'Last name successfully changed',
      patronymic: 'Patronymic successfully changed',
      address: 'Address successfully changed',
      phone: 'Phone successfully changed',
    },
    error: { email: 'This email is already taken.' },
  });

  const profile = (await call(app, 'GET', '/api/v1/users/me', { token })).body;
  t.match(profile, { first_name: 'Anya', last_name: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', email: 'anna@clinic.example', phone: '+79967486294' });
  t.ok(Date.parse(profile.updated_at) >= Date.parse(profile.created_at));
  t.equal(await loginOf(connection.db, { phone: '+79517586284' }), undefined, 'the old phone is no longer hers');

  const changes = await connection.db.selectFrom('events').select('data').where('type', '=', 'UserProfileChanged').execute();
  t.same((changes[0]?.data as { changes: unknown }).changes, { firstName: 'Anya', lastName: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', phone: '+79967486294' }, 'the event carries only what changed');

  const names = await call(app, 'PATCH', '/api/v1/users/me', { token, body: { first_name: 'Anna', email: 'anna@clinic.example' } });
  t.same(names.body, { success: { first_name: 'First name successfully changed', email: 'Email successfully changed' }, error: {} }, 'names, and an email that does not change, need no password');

  // An owned email, given up: the next one to verify it owns it.
  await verifyEmail(runtime, { id: me.id, email: 'anna@clinic.example', token });
  const email = await call(app, 'PATCH', '/api/v1/users/me', { token, body: { email: 'anya@clinic.example', current_password: anna.password } });
  t.same(email.body, { success: { email: 'Email successfully changed' }, error: {} });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token })).body.email, 'anya@clinic.example');
  const released = await connection.db.selectFrom('events').select('type').where('stream_id', '=', 'staff-email-anna@clinic.example').orderBy('version').execute();
  t.same(released.map((e) => e.type), ['ContactOwned', 'ContactReleased'], 'the old email was released after the change');
  const successor = await staffMember(runtime, anna.email);
  clock = new Date(clock.getTime() + 61_000); // past the resend cooldown of that address
  await verifyEmail(runtime, successor);

  const nothing = await call(app, 'PATCH', '/api/v1/users/me', { token, body: {} });
  t.same(nothing.body, { success: {}, error: {} });
  const invalid = await call(app, 'PATCH', '/api/v1/users/me', { token, body: { email: 'nope', password: 'short' } });
  t.equal(invalid.status, 400);
  t.same(Object.keys(invalid.body.errors).sort(), ['email', 'password']);
});

t.test('a password change ends every session; the new password is stored', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const me = (await call(app, 'POST', '/api/v1/users', { body: anna })).body;
  const token = await staffToken(runtime, me.id);
  const other = await staffToken(runtime, me.id);

  const changed = await call(app, 'PATCH', '/api/v1/users/me', { token, body: { password: 'a-new-password', current_password: anna.password } });
  t.same(changed.body, { success: { password: 'Password successfully changed' }, error: {} });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token })).status, 403, 'this session ended');
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: other })).status, 403, 'and every other one');
  const hash = await getPasswordHash(connection.db, me.id);
  t.ok(hash && (await verifyPassword(hash, 'a-new-password')), 'the new password verifies');
  const events = await connection.db.selectFrom('events').select(['type', 'data']).where('type', '=', 'UserPasswordChanged').execute();
  t.equal(events.length, 1);
  t.notMatch(JSON.stringify(events), /a-new-password|argon2/, 'the event says that it changed, nothing more');
});

t.test('DELETE /users/me: sessions end, the owned email and phone are free, logins fail', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const me = await staffMember(runtime, anna.email, { phone: anna.phone, password: anna.password });
  await verifyEmail(runtime, me);
  await verifyPhone(runtime, me, '+79517586284');
  t.equal((await call(app, 'POST', '/api/v1/users', { body: anna })).status, 409, 'while she owns them, nobody registers them');

  const bare = await call(app, 'DELETE', '/api/v1/users/me', { token: me.token, body: {} });
  t.equal(bare.status, 400, 'a token alone does not delete the account');
  t.ok(bare.body.errors.current_password);
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: me.token })).status, 200, 'which is still there');
  const deleted = await call(app, 'DELETE', '/api/v1/users/me', { token: me.token, body: { current_password: anna.password } });
  t.equal(deleted.status, 200);
  t.same(deleted.body, { detail: 'Account deleted.' });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: me.token })).status, 403, 'the session ended');

  const row = await connection.db.selectFrom('users').select(['deleted_at']).where('id', '=', me.id).executeTakeFirstOrThrow();
  t.ok(row.deleted_at, 'the row stays, marked deleted');
  t.equal(await loginOf(connection.db, { email: anna.email }), undefined, 'login lookups no longer find the account');
  t.same(await staffLoginCandidates(connection.db, { email: anna.email }), []);
  t.equal(await getPasswordHash(connection.db, me.id), undefined, 'the password hash is gone');
  const login = await call(app, 'POST', '/api/v1/auth/token', { body: { email: anna.email, password: anna.password } });
  t.equal(login.status, 401, 'logging in fails');

  const again = await call(app, 'POST', '/api/v1/users', { body: anna });
  t.equal(again.status, 201, 'the email and the phone can be registered again');
  t.equal(await loginOf(connection.db, { email: anna.email }), again.body.id);
  const streams = await connection.db.selectFrom('events').select(['stream_id', 'type']).where('stream_id', 'in', ['staff-email-anna@clinic.example', 'staff-phone-+79517586284']).orderBy('global_position').execute();
  t.same(streams.map((e) => e.type), ['ContactOwned', 'ContactOwned', 'ContactReleased', 'ContactReleased'], 'owned by verifying, released by deleting');
});

t.test('DELETE /users/me ends every membership; the only owner of an organization is refused first', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example');
  const coOwner = await staffMember(runtime, 'co-owner@clinic.example');
  const manager = await staffMember(runtime, 'manager@clinic.example');
  const clinic = await organizationOf(runtime, owner, 'Clinic');
  const studio = await organizationOf(runtime, owner, 'Studio');
  await addMember(runtime, clinic, owner, coOwner, 'owner');
  await addMember(runtime, clinic, owner, manager, 'manager');
  await addMember(runtime, studio, owner, manager, 'manager');
  const members = async (org: string) => ((await call(app, 'GET', `/api/v1/organizations/${org}/members`, { token: owner.token })).body as { user: { id: string }; role: string }[]).map((m) => `${m.user.id === owner.id ? 'owner' : m.user.id === coOwner.id ? 'co-owner' : 'manager'}:${m.role}`).sort();

  const refused = await call(app, 'DELETE', '/api/v1/users/me', { token: owner.token, body: { current_password: 'staff-password' } });
  t.equal(refused.status, 409, 'the only owner of Studio cannot go');
  t.same(refused.body, { detail: 'You are the only owner of Studio: make someone else an owner first.' });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: owner.token })).status, 200, 'and nothing changed: the account still works');
  t.same(await members(clinic), ['co-owner:owner', 'manager:manager', 'owner:owner']);

  t.equal((await call(app, 'DELETE', '/api/v1/users/me', { token: manager.token, body: { current_password: 'staff-password' } })).status, 200);
  t.same(await members(clinic), ['co-owner:owner', 'owner:owner'], 'a deleted manager leaves the clinic');
  t.same(await members(studio), ['owner:owner'], 'and the studio');
  const removed = await runtime.connection.db.selectFrom('events').select(['stream_id', 'data']).where('type', '=', 'MemberRemoved').execute();
  t.same(removed.map((e) => [e.stream_id, (e.data as { userId: string }).userId]).sort(), [[`organization-${clinic}`, manager.id], [`organization-${studio}`, manager.id]].sort(), 'each organization recorded the departure in its own stream');

  t.equal((await call(app, 'DELETE', '/api/v1/users/me', { token: coOwner.token, body: { current_password: 'staff-password' } })).status, 200, 'one of two owners may go');
  t.same(await members(clinic), ['owner:owner']);
  const leave = await call(app, 'DELETE', `/api/v1/organizations/${clinic}/members/${owner.id}`, { token: owner.token });
  t.equal(leave.status, 409, 'the deleted co-owner no longer counts: the remaining owner is the last one');
});
