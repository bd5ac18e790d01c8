import t, { type Test } from 'tap';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, organizationOf, staffMember } from '../helpers/staff.js';

const clinic = { name: 'Clinic', description: 'Family clinic', address: 'Lenina 1', numbers: { main: '+79999999999' }, links: { vk: 'vk.com/clinic' } };

t.test('organizations', async (t) => {
  const runtime = await startRuntime(t);
  const { app, connection } = runtime;
  const staff = (name: string, profile: Record<string, string> = {}) => staffMember(runtime, uniqueEmail(name), profile);
  const streamOf = (org: string) => connection.db.selectFrom('events').where('stream_id', '=', `organization-${org}`);

  /** Olga Owner has created the clinic. */
  const givenCreated = async (t: Test) => {
    const owner = await staff('owner', { first_name: 'Olga', last_name: 'Owner', phone: uniquePhone() });
    const created = await call(app, 'POST', '/api/v1/organizations', { token: owner.token, body: clinic });
    t.equal(created.status, 201);
    return { owner, created, org: created.body.id as string };
  };

  t.test('a staff user creates an organization: 201 with the organization and its creator', async (t) => {
    const { owner, created } = await givenCreated(t);
    t.same(created.body, {
      id: created.body.id,
      ...clinic,
      creator: { id: owner.id, first_name: 'Olga', last_name: 'Owner', patronymic: '' },
      created_at: created.body.created_at,
      updated_at: created.body.created_at,
    });
  });

  t.test('the creator is the owner, created and owned in one append', async (t) => {
    const { owner, org } = await givenCreated(t);
    const members = await call(app, 'GET', `/api/v1/organizations/${org}/members`, { token: owner.token });
    t.equal(members.status, 200);
    t.same(members.body.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]), [[owner.id, 'owner']], 'the creator is the owner');
    const events = await streamOf(org).select(['stream_id', 'type']).orderBy('version').execute();
    t.same(events.map((e) => e.type), ['OrganizationCreated', 'MemberAdded'], 'created and owned in one append');
  });

  t.test('the owner reads the organization as created, and finds it in their list', async (t) => {
    const { owner, created, org } = await givenCreated(t);
    t.same((await call(app, 'GET', `/api/v1/organizations/${org}`, { token: owner.token })).body, created.body);
    const list = await call(app, 'GET', '/api/v1/organizations', { token: owner.token });
    t.same(list.body.map((o: { id: string }) => o.id), [org]);
  });

  t.test('PATCH changes the fields given, replaces links as a whole, and records only the changes', async (t) => {
    const { owner, org } = await givenCreated(t);
    const patched = await call(app, 'PATCH', `/api/v1/organizations/${org}`, { token: owner.token, body: { name: 'Clinic No. 1', links: { site: 'clinic.example' } } });
    t.equal(patched.status, 200);
    t.match(patched.body, { name: 'Clinic No. 1', description: 'Family clinic', links: { site: 'clinic.example' }, numbers: { main: '+79999999999' } });
    t.notSame(patched.body.links, clinic.links, 'links are replaced as a whole');
    const updated = await streamOf(org).select('data').where('type', '=', 'OrganizationUpdated').executeTakeFirstOrThrow();
    t.same((updated.data as { changes: unknown }).changes, { name: 'Clinic No. 1', links: { site: 'clinic.example' } }, 'only the changed fields');
  });

  t.test('an organization without a name or with links that are no object is 400', async (t) => {
    const owner = await staff('owner');
    const invalid = await call(app, 'POST', '/api/v1/organizations', { token: owner.token, body: { description: 'no name', numbers: { main: 7 }, links: 'vk' } });
    t.equal(invalid.status, 400);
    t.ok(invalid.body.errors.name, 'name is required');
    t.ok(invalid.body.errors.links, 'links must be an object');
  });

  /** Olga owns the organization, Adam is its admin, Ivan a specialist; Sofia is a staff user, not a member. */
  const givenMembers = async () => {
    const owner = await staff('owner', { first_name: 'Olga' });
    const admin = await staff('admin', { first_name: 'Adam' });
    const doctor = await staff('doctor', { first_name: 'Ivan' });
    const second = await staff('second', { first_name: 'Sofia' });
    const org = await organizationOf(runtime, owner);
    await addMember(runtime, org, owner, admin, 'admin');
    await addMember(runtime, org, admin, doctor, 'specialist');
    return { owner, admin, doctor, second, org, members: `/api/v1/organizations/${org}/members` };
  };

  t.test('an admin changes a member’s role', async (t) => {
    const { admin, doctor, members } = await givenMembers();
    const promoted = await call(app, 'PATCH', `${members}/${doctor.id}`, { token: admin.token, body: { role: 'manager' } });
    t.equal(promoted.status, 200);
    t.same(promoted.body, { user: { id: doctor.id, first_name: 'Ivan', last_name: '', patronymic: '', work_email: null, work_phone: null }, role: 'manager', added_at: promoted.body.added_at });
  });

  t.test('an unknown role is 400, naming the roles there are', async (t) => {
    const { owner, doctor, members } = await givenMembers();
    const badRole = await call(app, 'PATCH', `${members}/${doctor.id}`, { token: owner.token, body: { role: 'janitor' } });
    t.equal(badRole.status, 400);
    t.match(badRole.body.errors.role, [/Must be one of: owner, admin, manager, specialist, auditor/]);
  });

  t.test('a staff user who is no member is neither changed nor removed: 404', async (t) => {
    const { owner, second, members } = await givenMembers();
    t.equal((await call(app, 'PATCH', `${members}/${second.id}`, { token: owner.token, body: { role: 'manager' } })).status, 404, 'only members can be changed');
    t.equal((await call(app, 'DELETE', `${members}/${second.id}`, { token: owner.token })).status, 404, 'only members can be removed');
  });

  t.test('the last owner is neither demoted nor removed: 409', async (t) => {
    const { owner, members } = await givenMembers();
    const demote = await call(app, 'PATCH', `${members}/${owner.id}`, { token: owner.token, body: { role: 'admin' } });
    t.equal(demote.status, 409, 'the last owner cannot be demoted');
    t.same(demote.body, { detail: 'An organization must keep at least one owner.' });
    t.equal((await call(app, 'DELETE', `${members}/${owner.id}`, { token: owner.token })).status, 409, 'nor removed');
  });

  t.test('an admin never removes an owner', async (t) => {
    const { owner, admin, members } = await givenMembers();
    t.equal((await call(app, 'DELETE', `${members}/${owner.id}`, { token: admin.token })).status, 403, 'an admin never touches an owner');
  });

  /** …and Sofia joined as a second owner, after which Olga stepped down to admin. */
  const givenTwoOwners = async (t: Test) => {
    const world = await givenMembers();
    await addMember(runtime, world.org, world.owner, world.second, 'owner');
    t.equal((await call(app, 'PATCH', `${world.members}/${world.owner.id}`, { token: world.second.token, body: { role: 'admin' } })).status, 200, 'with two owners, one may step down');
    return world;
  };

  t.test('with two owners, one may step down', async (t) => {
    await givenTwoOwners(t);
  });

  t.test('a removed member no longer sees the organization', async (t) => {
    const { admin, doctor, org, members } = await givenMembers();
    const removed = await call(app, 'DELETE', `${members}/${doctor.id}`, { token: admin.token });
    t.equal(removed.status, 204);
    t.equal(removed.body, undefined);
    t.equal((await call(app, 'GET', `/api/v1/organizations/${org}`, { token: doctor.token })).status, 404, 'a removed member no longer sees the organization');
  });

  t.test('the member list shows every current member by name with their role', async (t) => {
    const { admin, doctor, members } = await givenTwoOwners(t);
    t.equal((await call(app, 'DELETE', `${members}/${doctor.id}`, { token: admin.token })).status, 204);
    const list = await call(app, 'GET', members, { token: admin.token });
    t.same(
      list.body.map((m: { user: { first_name: string }; role: string }) => [m.user.first_name, m.role]),
      [['Olga', 'admin'], ['Adam', 'admin'], ['Sofia', 'owner']],
    );
  });

  /** Ivan Doctor (with a work contact) and Nina are specialists; a manager asks. */
  const givenExecutors = async () => {
    const owner = await staff('owner');
    const doctor = await staff('doctor', { first_name: 'Ivan', last_name: 'Doctor' });
    const nurse = await staff('nurse', { first_name: 'Nina' });
    const manager = await staff('manager');
    const org = await organizationOf(runtime, owner);
    await addMember(runtime, org, owner, doctor, 'specialist', { work_email: 'Reception@Clinic.example', work_phone: '8 (495) 123-45-67' });
    await addMember(runtime, org, owner, nurse, 'specialist');
    await addMember(runtime, org, owner, manager, 'manager');
    return { owner, doctor, nurse, manager, org };
  };

  t.test('executors are the specialists: name and work contact', async (t) => {
    const { doctor, nurse, manager, org } = await givenExecutors();
    const executors = await call(app, 'GET', `/api/v1/organizations/${org}/executors`, { token: manager.token });
    t.equal(executors.status, 200);
    t.same(executors.body, [
      { id: doctor.id, first_name: 'Ivan', last_name: 'Doctor', patronymic: '', work_email: 'reception@clinic.example', work_phone: '+74951234567' },
      { id: nurse.id, first_name: 'Nina', last_name: '', patronymic: '', work_email: null, work_phone: null },
    ]);
  });

  t.test('a specialist who changed role is no longer an executor', async (t) => {
    const { owner, doctor, nurse, manager, org } = await givenExecutors();
    t.equal((await call(app, 'PATCH', `/api/v1/organizations/${org}/members/${nurse.id}`, { token: owner.token, body: { role: 'auditor' } })).status, 200);
    const after = await call(app, 'GET', `/api/v1/organizations/${org}/executors`, { token: manager.token });
    t.same(after.body.map((u: { id: string }) => u.id), [doctor.id], 'a specialist who changed role is no longer one');
  });

  t.test('each user lists the organizations they belong to', async (t) => {
    const alice = await staff('alice');
    const bob = await staff('bob');
    await organizationOf(runtime, alice, 'A');
    const b = await organizationOf(runtime, bob, 'B');
    const names = async (token: string) => (await call(app, 'GET', '/api/v1/organizations', { token })).body.map((o: { name: string }) => o.name);
    t.same(await names(alice.token), ['A']);
    t.same(await names(bob.token), ['B']);
    await addMember(runtime, b, bob, alice, 'auditor');
    t.same(await names(alice.token), ['A', 'B']);
  });
});
