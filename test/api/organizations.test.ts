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
    creator: { id: owner.id, first_name: 'Olga', last_name: 'Owner', patronymic: '', email: 'owner@clinic.example', phone: '+79517586284' },
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

t.test('members: added once, roles changed, removed; the last owner stays', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example');
  const admin = await staffMember(runtime, 'admin@clinic.example');
  const doctor = await staffMember(runtime, 'doctor@clinic.example');
  const second = await staffMember(runtime, 'second@clinic.example');
  const org = await organizationOf(runtime, owner);
  const members = `/api/v1/organizations/${org}/members`;

  const added = await call(app, 'POST', members, { token: owner.token, body: { user_id: admin.id, role: 'admin' } });
  t.equal(added.status, 201);
  t.match(added.body, { user: { id: admin.id, email: 'admin@clinic.example' }, role: 'admin' });
  t.ok(Date.parse(added.body.added_at));

  const twice = await call(app, 'POST', members, { token: owner.token, body: { user_id: admin.id, role: 'manager' } });
  t.equal(twice.status, 409, 'a user is a member once');
  t.same(twice.body, { detail: 'This user is already a member of the organization.' });

  const unknown = await call(app, 'POST', members, { token: owner.token, body: { user_id: '00000000-0000-4000-8000-000000000000', role: 'manager' } });
  t.equal(unknown.status, 400);
  t.same(unknown.body.errors, { user_id: ['No staff user with this id.'] });
  const badRole = await call(app, 'POST', members, { token: owner.token, body: { user_id: doctor.id, role: 'janitor' } });
  t.equal(badRole.status, 400);
  t.match(badRole.body.errors.role, [/Must be one of: owner, admin, manager, specialist, auditor/]);

  t.equal((await call(app, 'POST', members, { token: admin.token, body: { user_id: doctor.id, role: 'specialist' } })).status, 201, 'an admin adds staff');
  t.equal((await call(app, 'POST', members, { token: admin.token, body: { user_id: second.id, role: 'owner' } })).status, 403, 'only an owner grants owner');

  const promoted = await call(app, 'PATCH', `${members}/${doctor.id}`, { token: admin.token, body: { role: 'manager' } });
  t.equal(promoted.status, 200);
  t.equal(promoted.body.role, 'manager');
  t.equal((await call(app, 'PATCH', `${members}/${second.id}`, { token: owner.token, body: { role: 'manager' } })).status, 404, 'only members can be changed');
  t.equal((await call(app, 'DELETE', `${members}/${second.id}`, { token: owner.token })).status, 404, 'only members can be removed');

  const demote = await call(app, 'PATCH', `${members}/${owner.id}`, { token: owner.token, body: { role: 'admin' } });
  t.equal(demote.status, 409, 'the last owner cannot be demoted');
  t.same(demote.body, { detail: 'An organization must keep at least one owner.' });
  t.equal((await call(app, 'DELETE', `${members}/${owner.id}`, { token: owner.token })).status, 409, 'nor removed');
  t.equal((await call(app, 'DELETE', `${members}/${owner.id}`, { token: admin.token })).status, 403, 'an admin never touches an owner');

  t.equal((await call(app, 'POST', members, { token: owner.token, body: { user_id: second.id, role: 'owner' } })).status, 201, 'an owner grants owner');
  t.equal((await call(app, 'PATCH', `${members}/${owner.id}`, { token: second.token, body: { role: 'admin' } })).status, 200, 'with two owners, one may step down');

  const removed = await call(app, 'DELETE', `${members}/${doctor.id}`, { token: admin.token });
  t.equal(removed.status, 204);
  t.equal(removed.body, undefined);
  t.equal((await call(app, 'GET', `/api/v1/organizations/${org}`, { token: doctor.token })).status, 404, 'a removed member no longer sees the organization');

  const list = await call(app, 'GET', members, { token: admin.token });
  t.same(
    list.body.map((m: { user: { email: string }; role: string }) => [m.user.email, m.role]),
    [['owner@clinic.example', 'admin'], ['admin@clinic.example', 'admin'], ['second@clinic.example', 'owner']],
  );
});

t.test('executors are the specialists, as staff profiles', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example');
  const doctor = await staffMember(runtime, 'doctor@clinic.example', { first_name: 'Ivan', last_name: 'Doctor' });
  const nurse = await staffMember(runtime, 'nurse@clinic.example', { first_name: 'Nina' });
  const manager = await staffMember(runtime, 'manager@clinic.example');
  const org = await organizationOf(runtime, owner);
  await addMember(runtime, org, owner, doctor, 'specialist');
  await addMember(runtime, org, owner, nurse, 'specialist');
  await addMember(runtime, org, owner, manager, 'manager');

  const executors = await call(app, 'GET', `/api/v1/organizations/${org}/executors`, { token: manager.token });
  t.equal(executors.status, 200);
  t.same(executors.body.map((u: { email: string }) => u.email), ['doctor@clinic.example', 'nurse@clinic.example']);
  t.same(Object.keys(executors.body[0]).sort(), ['address', 'confirmed_email', 'confirmed_phone', 'created_at', 'email', 'first_name', 'id', 'last_name', 'patronymic', 'phone', 'updated_at']);
  t.match(executors.body[0], { id: doctor.id, first_name: 'Ivan', last_name: 'Doctor' });

  await call(app, 'PATCH', `/api/v1/organizations/${org}/members/${nurse.id}`, { token: owner.token, body: { role: 'auditor' } });
  const after = await call(app, 'GET', `/api/v1/organizations/${org}/executors`, { token: manager.token });
  t.same(after.body.map((u: { email: string }) => u.email), ['doctor@clinic.example'], 'a specialist who changed role is no longer one');
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
