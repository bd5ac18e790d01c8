import t from 'tap';
import { getPasswordHash } from '../../src/auth/credentials.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { findUserIdByEmail, findUserIdByPhone } from '../../src/projections/users.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, organizationOf, staffMember, staffToken } from '../helpers/staff.js';

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

  t.equal(await findUserIdByEmail(connection.db, 'ANNA@clinic.example'), created.body.id, 'found by email, any case');
  t.equal(await findUserIdByPhone(connection.db, '+79517586284'), created.body.id, 'found by phone in E.164');

  const events = await connection.db.selectFrom('events').select(['stream_id', 'type', 'data']).orderBy('global_position').execute();
  t.same(events.map((e) => e.type).sort(), ['EmailReserved', 'StaffPhoneReserved', 'UserRegistered']);
  t.ok(events.some((e) => e.stream_id === 'staff-email-anna@clinic.example'), 'the email is reserved in its own stream, lowercased');
  t.ok(events.some((e) => e.stream_id === 'staff-phone-+79517586284'), 'the phone is reserved in its own stream, in E.164');
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
  t.equal((await connection.db.selectFrom('events').select('event_id').execute()).length, 0, 'no event was written');
});

t.test('a taken email or phone is 409, and a refused registration holds nothing', async (t) => {
  const { app, connection } = await startRuntime(t);
  t.equal((await call(app, 'POST', '/api/v1/users', { body: anna })).status, 201);

  const sameEmail = await call(app, 'POST', '/api/v1/users', { body: { email: 'ANNA@clinic.example', password: 'other-password' } });
  t.equal(sameEmail.status, 409);
  t.same(sameEmail.body, { detail: 'This email is already taken.', errors: { email: ['This email is already taken.'] } });

  const samePhone = await call(app, 'POST', '/api/v1/users', { body: { email: 'boris@clinic.example', password: 'other-password', phone: '+79517586284' } });
  t.equal(samePhone.status, 409);
  t.same(samePhone.body.errors, { phone: ['This phone number is already taken.'] });

  const both = await call(app, 'POST', '/api/v1/users', { body: { email: anna.email, password: 'other-password', phone: anna.phone } });
  t.equal(both.status, 409);
  t.same(Object.keys(both.body.errors).sort(), ['email', 'phone'], 'every taken field is named');

  // The phone conflict above had reserved boris@ first: it was given back.
  t.equal((await call(app, 'POST', '/api/v1/users', { body: { email: 'boris@clinic.example', password: 'boris-password' } })).status, 201);
  const users = await connection.db.selectFrom('users').select('email').orderBy('email').execute();
  t.same(users.map((u) => u.email), ['anna@clinic.example', 'boris@clinic.example']);
});

t.test('ten concurrent registrations of one email: exactly one 201', async (t) => {
  const { app, connection } = await startRuntime(t);
  const attempts = await Promise.all(
    Array.from({ length: 10 }, (_, i) => call(app, 'POST', '/api/v1/users', { body: { email: i % 2 ? 'race@clinic.example' : 'RACE@clinic.example', password: `password-${i}` } })),
  );
  const statuses = attempts.map((a) => a.status);
  t.equal(statuses.filter((s) => s === 201).length, 1, 'one wins');
  t.equal(statuses.filter((s) => s === 409).length, 9, 'nine are told the email is taken');
  const rows = await connection.db.selectFrom('users').select('id').where('email', '=', 'race@clinic.example').execute();
  t.equal(rows.length, 1);
  const registered = await connection.db.selectFrom('events').select('event_id').where('type', '=', 'UserRegistered').execute();
  t.equal(registered.length, 1, 'one UserRegistered in the log');
});

t.test('PATCH /users/me reports per field, applying what it can', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const me = (await call(app, 'POST', '/api/v1/users', { body: anna })).body;
  await call(app, 'POST', '/api/v1/users', { body: { email: 'taken@clinic.example', password: 'other-password' } });
  const token = await staffToken(runtime, me.id);

  const changed = await call(app, 'PATCH', '/api/v1/users/me', {
    token,
    body: { first_name: 'Anya', last_name: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', email: 'TAKEN@clinic.example', phone: '+79967486294' },
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
  t.equal(await findUserIdByPhone(connection.db, '+79517586284'), undefined, 'the old phone is no longer hers');

  // The old phone was released: another staff user may take it.
  t.equal((await call(app, 'POST', '/api/v1/users', { body: { email: 'boris@clinic.example', password: 'boris-password', phone: anna.phone } })).status, 201);

  const changes = await connection.db.selectFrom('events').select('data').where('type', '=', 'UserProfileChanged').execute();
  t.same((changes[0]?.data as { changes: unknown }).changes, { firstName: 'Anya', lastName: 'Sidorova', patronymic: 'Petrovna', address: 'Mira 2', phone: '+79967486294' }, 'the event carries only what changed');

  const email = await call(app, 'PATCH', '/api/v1/users/me', { token, body: { email: 'anya@clinic.example', first_name: 'Anya' } });
  t.same(email.body, { success: { first_name: 'First name successfully changed', email: 'Email successfully changed' }, error: {} });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token })).body.email, 'anya@clinic.example');
  t.equal((await call(app, 'POST', '/api/v1/users', { body: { email: anna.email, password: 'someone-else' } })).status, 201, 'the old email is free again');

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

  const changed = await call(app, 'PATCH', '/api/v1/users/me', { token, body: { password: 'a-new-password' } });
  t.same(changed.body, { success: { password: 'Password successfully changed' }, error: {} });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token })).status, 403, 'this session ended');
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: other })).status, 403, 'and every other one');
  const hash = await getPasswordHash(connection.db, me.id);
  t.ok(hash && (await verifyPassword(hash, 'a-new-password')), 'the new password verifies');
  const events = await connection.db.selectFrom('events').select(['type', 'data']).where('type', '=', 'UserPasswordChanged').execute();
  t.equal(events.length, 1);
  t.notMatch(JSON.stringify(events), /a-new-password|argon2/, 'the event says that it changed, nothing more');
});

t.test('DELETE /users/me: sessions end, email and phone are free, logins fail', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const me = (await call(app, 'POST', '/api/v1/users', { body: anna })).body;
  const token = await staffToken(runtime, me.id);

  const deleted = await call(app, 'DELETE', '/api/v1/users/me', { token });
  t.equal(deleted.status, 200);
  t.same(deleted.body, { detail: 'Account deleted.' });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token })).status, 403, 'the session ended');

  const row = await connection.db.selectFrom('users').select(['deleted_at']).where('id', '=', me.id).executeTakeFirstOrThrow();
  t.ok(row.deleted_at, 'the row stays, marked deleted');
  t.equal(await findUserIdByEmail(connection.db, anna.email), undefined, 'login lookups no longer find the account');
  t.equal(await getPasswordHash(connection.db, me.id), undefined, 'the password hash is gone');
  const login = await call(app, 'POST', '/api/v1/auth/token', { body: { email: anna.email, password: anna.password } });
  t.equal(login.status, 401, 'logging in fails');

  const again = await call(app, 'POST', '/api/v1/users', { body: anna });
  t.equal(again.status, 201, 'the email and the phone can be registered again');
  t.equal(await findUserIdByEmail(connection.db, anna.email), again.body.id);
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

  const refused = await call(app, 'DELETE', '/api/v1/users/me', { token: owner.token });
  t.equal(refused.status, 409, 'the only owner of Studio cannot go');
  t.same(refused.body, { detail: 'You are the only owner of Studio: make someone else an owner first.' });
  t.equal((await call(app, 'GET', '/api/v1/users/me', { token: owner.token })).status, 200, 'and nothing changed: the account still works');
  t.same(await members(clinic), ['co-owner:owner', 'manager:manager', 'owner:owner']);

  t.equal((await call(app, 'DELETE', '/api/v1/users/me', { token: manager.token })).status, 200);
  t.same(await members(clinic), ['co-owner:owner', 'owner:owner'], 'a deleted manager leaves the clinic');
  t.same(await members(studio), ['owner:owner'], 'and the studio');
  const removed = await runtime.connection.db.selectFrom('events').select(['stream_id', 'data']).where('type', '=', 'MemberRemoved').execute();
  t.same(removed.map((e) => [e.stream_id, (e.data as { userId: string }).userId]).sort(), [[`organization-${clinic}`, manager.id], [`organization-${studio}`, manager.id]].sort(), 'each organization recorded the departure in its own stream');

  t.equal((await call(app, 'DELETE', '/api/v1/users/me', { token: coOwner.token })).status, 200, 'one of two owners may go');
  t.same(await members(clinic), ['owner:owner']);
  const leave = await call(app, 'DELETE', `/api/v1/organizations/${clinic}/members/${owner.id}`, { token: owner.token });
  t.equal(leave.status, 409, 'the deleted co-owner no longer counts: the remaining owner is the last one');
});
