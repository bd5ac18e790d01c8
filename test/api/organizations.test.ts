import t from 'tap';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, organizationOf, staffMember } from '../helpers/staff.js';

const clinic = { name: 'Clinic', description: 'Family clinic', address: 'Lenina 1', numbers: { main: '+79999999999' }, links: { vk: 'vk.com/clinic' } };

t.test('a staff user creates an organization and becomes its owner', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example', { first_name: 'Olga', last_name: 'Owner', phone: '+79517586284' });

  const created = await call(app, 'POST', '/api/v1/organizations', { token: owner.token, body: clinic });
  t.equal(created.status, 201);
  t.same(created.body, {
    id: created.body.id,
    ...clinic,
    creator: { id: owner.id, first_name: 'Olga', last_name: 'Owner', patronymic: '' },
    created_at: created.body.created_at,
    updated_at: created.body.created_at,
  });
  const org = created.body.id as string;

  const members = await call(app, 'GET', `/api/v1/organizations/${org}/members`, { token: owner.token });
  t.equal(members.status, 200);
  t.same(members.body.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]), [[owner.id, 'owner']], 'the creator is the owner');

  const events = await connection.db.selectFrom('events').select(['stream_id', 'type']).where('stream_id', '=', `organization-${org}`).orderBy('version').execute();
  t.same(events.map((e) => e.type), ['OrganizationCreated', 'MemberAdded'], 'created and owned in one append');

  t.same((await call(app, 'GET', `/api/v1/organizations/${org}`, { token: owner.token })).body, created.body);
  const list = await call(app, 'GET', '/api/v1/organizations', { token: owner.token });
  t.same(list.body.map((o: { id: string }) => o.id), [org]);

  const patched = await call(app, 'PATCH', `/api/v1/organizations/${org}`, { token: owner.token, body: { name: 'Clinic No. 1', links: { site: 'clinic.example' } } });
  t.equal(patched.status, 200);
  t.match(patched.body, { name: 'Clinic No. 1', description: 'Family clinic', links: { site: 'clinic.example' }, numbers: { main: '+79999999999' } });
  t.notSame(patched.body.links, clinic.links, 'links are replaced as a whole');
  const updated = await connection.db.selectFrom('events').select('data').where('type', '=', 'OrganizationUpdated').executeTakeFirstOrThrow();
  t.same((updated.data as { changes: unknown }).changes, { name: 'Clinic No. 1', links: { site: 'clinic.example' } }, 'only the changed fields');

  const invalid = await call(app, 'POST', '/api/v1/organizations', { token: owner.token, body: { description: 'no name', numbers: { main: 7 }, links: 'vk' } });
  t.equal(invalid.status, 400);
  t.ok(invalid.body.errors.name, 'name is required');
  t.ok(invalid.body.errors.links, 'links must be an object');
});

t.test('members: roles changed, removed; the last owner stays', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example', { first_name: 'Olga' });
  const admin = await staffMember(runtime, 'admin@clinic.example', { first_name: 'Adam' });
  const doctor = await staffMember(runtime, 'doctor@clinic.example', { first_name: 'Ivan' });
  const second = await staffMember(runtime, 'second@clinic.example', { first_name: 'Sofia' });
  const org = await organizationOf(runtime, owner);
  const members = `/api/v1/organizations/${org}/members`;
  await addMember(runtime, org, owner, admin, 'admin');
  await addMember(runtime, org, admin, doctor, 'specialist');

  const promoted = await call(app, 'PATCH', `${members}/${doctor.id}`, { token: admin.token, body: { role: 'manager' } });
  t.equal(promoted.status, 200);
  t.same(promoted.body, { user: { id: doctor.id, first_name: 'Ivan', last_name: '', patronymic: '', work_email: null, work_phone: null }, role: 'manager', added_at: promoted.body.added_at });
  const badRole = await call(app, 'PATCH', `${members}/${doctor.id}`, { token: owner.token, body: { role: 'janitor' } });
  t.equal(badRole.status, 400);
  t.match(badRole.body.errors.role, [/Must be one of: owner, admin, manager, specialist, auditor/]);
  t.equal((await call(app, 'PATCH', `${members}/${second.id}`, { token: owner.token, body: { role: 'manager' } })).status, 404, 'only members can be changed');
  t.equal((await call(app, 'DELETE', `${members}/${second.id}`, { token: owner.token })).status, 404, 'only members can be removed');

  const demote = await call(app, 'PATCH', `${members}/${owner.id}`, { token: owner.token, body: { role: 'admin' } });
  t.equal(demote.status, 409, 'the last owner cannot be demoted');
  t.same(demote.body, { detail: 'An organization must keep at least one owner.' });
  t.equal((await call(app, 'DELETE', `${members}/${owner.id}`, { token: owner.token })).status, 409, 'nor removed');
  t.equal((await call(app, 'DELETE', `${members}/${owner.id}`, { token: admin.token })).status, 403, 'an admin never touches an owner');

  await addMember(runtime, org, owner, second, 'owner');
  t.equal((await call(app, 'PATCH', `${members}/${owner.id}`, { token: second.token, body: { role: 'admin' } })).status, 200, 'with two owners, one may step down');

  const removed = await call(app, 'DELETE', `${members}/${doctor.id}`, { token: admin.token });
  t.equal(removed.status, 204);
  t.equal(removed.body, undefined);
  t.equal((await call(app, 'GET', `/api/v1/organizations/${org}`, { token: doctor.token })).status, 404, 'a removed member no longer sees the organization');

  const list = await call(app, 'GET', members, { token: admin.token });
  t.same(
    list.body.map((m: { user: { first_name: string }; role: string }) => [m.user.first_name, m.role]),
    [['Olga', 'admin'], ['Adam', 'admin'], ['Sofia', 'owner']],
  );
});

t.test('executors are the specialists: name and work contact', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example');
  const doctor = await staffMember(runtime, 'doctor@clinic.example', { first_name: 'Ivan', last_name: 'Doctor' });
  const nurse = await staffMember(runtime, 'nurse@clinic.example', { first_name: 'Nina' });
  const manager = await staffMember(runtime, 'manager@clinic.example');
  const org = await organizationOf(runtime, owner);
  await addMember(runtime, org, owner, doctor, 'specialist', { work_email: 'Reception@Clinic.example', work_phone: '8 (495) 123-45-67' });
  await addMember(runtime, org, owner, nurse, 'specialist');
  await addMember(runtime, org, owner, manager, 'manager');

  const executors = await call(app, 'GET', `/api/v1/organizations/${org}/executors`, { token: manager.token });
  t.equal(executors.status, 200);
  t.same(executors.body, [
    { id: doctor.id, first_name: 'Ivan', last_name: 'Doctor', patronymic: '', work_email: 'reception@clinic.example', work_phone: '+74951234567' },
    { id: nurse.id, first_name: 'Nina', last_name: '', patronymic: '', work_email: null, work_phone: null },
  ]);

  await call(app, 'PATCH', `/api/v1/organizations/${org}/members/${nurse.id}`, { token: owner.token, body: { role: 'auditor' } });
  const after = await call(app, 'GET', `/api/v1/organizations/${org}/executors`, { token: manager.token });
  t.same(after.body.map((u: { id: string }) => u.id), [doctor.id], 'a specialist who changed role is no longer one');
});

t.test('each user lists the organizations they belong to', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const alice = await staffMember(runtime, 'alice@a.example');
  const bob = await staffMember(runtime, 'bob@b.example');
  await organizationOf(runtime, alice, 'A');
  const b = await organizationOf(runtime, bob, 'B');
  const names = async (token: string) => (await call(app, 'GET', '/api/v1/organizations', { token })).body.map((o: { name: string }) => o.name);
  t.same(await names(alice.token), ['A']);
  t.same(await names(bob.token), ['B']);
  await addMember(runtime, b, bob, alice, 'auditor');
  t.same(await names(alice.token), ['A', 'B']);
});
