import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { startSession } from '../../src/auth/sessions.js';
import { uniqueEmail } from '../helpers/api-spec.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, invite, organizationOf, staffMember, verifyEmail, type StaffMember } from '../helpers/staff.js';

t.test('invitations', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const staff = (name: string, profile: Record<string, string> = {}) => staffMember(runtime, uniqueEmail(name, 'clinic.example'), profile);

  /** An organization with its owner and, of the admin and the manager, those the behaviour needs; `invitations` is its invitations route. */
  const givenOrganization = async (...roles: ('admin' | 'manager')[]) => {
    const owner = await staff('owner');
    const org = await organizationOf(runtime, owner);
    const members: Partial<Record<'admin' | 'manager', StaffMember>> = {};
    for (const role of roles) {
      members[role] = await staff(role);
      await addMember(runtime, org, owner, members[role]!, role);
    }
    return { owner, admin: members.admin!, manager: members.manager!, org, invitations: `/api/v1/organizations/${org}/invitations` };
  };
  /** …and a pending invitation, by the admin, of a specialist; another, by the owner, of an owner. */
  const givenInvitations = async (t: Test) => {
    const world = await givenOrganization('admin');
    const doctorEmail = uniqueEmail('doctor', 'mail.example');
    const toDoctor = await call(app, 'POST', world.invitations, { token: world.admin.token, body: { email: doctorEmail, role: 'specialist' } });
    t.equal(toDoctor.status, 201);
    const toOwner = await call(app, 'POST', world.invitations, { token: world.owner.token, body: { email: uniqueEmail('boss', 'mail.example'), role: 'owner' } });
    t.equal(toOwner.status, 201, 'an owner does');
    return { ...world, doctorEmail, toDoctor: toDoctor.body.id as string, toOwner: toOwner.body.id as string, bossEmail: toOwner.body.email as string };
  };
  const revoke = (invitations: string, id: string, by: StaffMember) => call(app, 'DELETE', `${invitations}/${id}`, { token: by.token });

  t.test('an admin invites by email, lower-cased; the invitation is pending', async (t) => {
    const { admin, invitations } = await givenOrganization('admin');
    const email = uniqueEmail('Doctor', 'Mail.example');
    const created = await call(app, 'POST', invitations, { token: admin.token, body: { email, role: 'specialist' } });
    t.equal(created.status, 201);
    t.same(created.body, { id: created.body.id, email: email.toLowerCase(), role: 'specialist', status: 'pending', created_at: created.body.created_at });
    t.ok(Date.parse(created.body.created_at));
  });

  t.test('a second invitation of an email with one pending is 409', async (t) => {
    const { owner, invitations, doctorEmail } = await givenInvitations(t);
    const twice = await call(app, 'POST', invitations, { token: owner.token, body: { email: doctorEmail, role: 'manager' } });
    t.equal(twice.status, 409);
    t.same(twice.body, { detail: 'This email already has a pending invitation.' });
  });

  t.test('an admin does not invite an owner', async (t) => {
    const { admin, invitations } = await givenOrganization('admin');
    t.equal((await call(app, 'POST', invitations, { token: admin.token, body: { email: uniqueEmail('boss', 'mail.example'), role: 'owner' } })).status, 403, 'an admin does not invite an owner');
  });

  t.test('a manager invites nobody', async (t) => {
    const { manager, invitations } = await givenOrganization('manager');
    t.equal((await call(app, 'POST', invitations, { token: manager.token, body: { email: uniqueEmail('x', 'mail.example'), role: 'auditor' } })).status, 403, 'a manager invites nobody');
  });

  t.test('a manager does not see the invitations', async (t) => {
    const { manager, invitations } = await givenOrganization('manager');
    t.equal((await call(app, 'GET', invitations, { token: manager.token })).status, 403, 'nor sees the invitations');
  });

  t.test('an invalid email and role are 400, both named', async (t) => {
    const { owner, invitations } = await givenOrganization();
    const invalid = await call(app, 'POST', invitations, { token: owner.token, body: { email: 'nope', role: 'janitor' } });
    t.equal(invalid.status, 400);
    t.same(Object.keys(invalid.body.errors).sort(), ['email', 'role']);
  });

  t.test('the organization lists its pending invitations, oldest first', async (t) => {
    const { admin, invitations, doctorEmail, bossEmail } = await givenInvitations(t);
    const listed = await call(app, 'GET', invitations, { token: admin.token });
    t.same(listed.body.map((i: { email: string; role: string }) => [i.email, i.role]), [[doctorEmail, 'specialist'], [bossEmail, 'owner']]);
  });

  t.test('an admin does not revoke an invitation to owner', async (t) => {
    const { admin, invitations, toOwner } = await givenInvitations(t);
    t.equal((await revoke(invitations, toOwner, admin)).status, 403, 'an admin does not revoke an invitation to owner');
  });

  t.test('an admin revokes an invitation once; it leaves the list', async (t) => {
    const { admin, owner, invitations, toDoctor, bossEmail } = await givenInvitations(t);
    t.equal((await revoke(invitations, toDoctor, admin)).status, 204);
    t.equal((await revoke(invitations, toDoctor, admin)).status, 404, 'revoked once');
    t.same((await call(app, 'GET', invitations, { token: owner.token })).body.map((i: { email: string }) => i.email), [bossEmail]);
  });

  t.test('revoking an unknown invitation is 404', async (t) => {
    const { admin, invitations } = await givenOrganization('admin');
    t.equal((await revoke(invitations, randomUUID(), admin)).status, 404);
  });

  t.test('a revoked invitation is gone for the invitee too, and the email may be invited again', async (t) => {
    const { admin, invitations, toDoctor, doctorEmail } = await givenInvitations(t);
    t.equal((await revoke(invitations, toDoctor, admin)).status, 204);
    const doctor = await staffMember(runtime, doctorEmail);
    await verifyEmail(runtime, doctor);
    t.same((await call(app, 'GET', '/api/v1/invitations', { token: doctor.token })).body, [], 'a revoked invitation is gone for the invitee too');
    t.equal((await call(app, 'POST', `/api/v1/invitations/${toDoctor}/accept`, { token: doctor.token, body: {} })).status, 404);
    t.equal((await call(app, 'POST', invitations, { token: admin.token, body: { email: doctorEmail, role: 'specialist' } })).status, 201, 'the email may be invited again');
  });

  t.test("another organization's invitation is not found through this one", async (t) => {
    const { owner, toOwner } = await givenInvitations(t);
    const other = await organizationOf(runtime, owner, 'Other');
    const elsewhere = await call(app, 'DELETE', `/api/v1/organizations/${other}/invitations/${toOwner}`, { token: owner.token });
    t.equal(elsewhere.status, 404, "another organization's invitation is not found through this one");
  });

  /** Nina, verified, invited to the Clinic as manager and to the Studio as auditor. */
  const givenInvitee = async () => {
    const owner = await staff('owner');
    const clinic = await organizationOf(runtime, owner, 'Clinic');
    const studio = await organizationOf(runtime, owner, 'Studio');
    const nina = await staff('nina', { first_name: 'Nina' });
    await verifyEmail(runtime, nina);
    const toClinic = await invite(runtime, clinic, owner, nina.email, 'manager');
    const toStudio = await invite(runtime, studio, owner, nina.email, 'auditor');
    return { owner, clinic, studio, nina, toClinic, toStudio };
  };

  t.test('the invitee lists her invitations with each organization by name', async (t) => {
    const { nina, toClinic, toStudio } = await givenInvitee();
    const mine = await call(app, 'GET', '/api/v1/invitations', { token: nina.token });
    t.same(
      mine.body.map((i: { id: string; organization: { name: string }; role: string }) => [i.id, i.organization.name, i.role]),
      [[toClinic, 'Clinic', 'manager'], [toStudio, 'Studio', 'auditor']],
    );
  });

  t.test('the invitee declines once; the organization no longer waits and learns nothing of her', async (t) => {
    const { owner, studio, nina, toStudio } = await givenInvitee();
    t.equal((await call(app, 'POST', `/api/v1/invitations/${toStudio}/decline`, { token: nina.token })).status, 204);
    t.equal((await call(app, 'POST', `/api/v1/invitations/${toStudio}/decline`, { token: nina.token })).status, 404, 'declined once');
    t.same((await call(app, 'GET', `/api/v1/organizations/${studio}/invitations`, { token: owner.token })).body, [], 'the studio no longer waits');
    const declined = await runtime.deps.store.readStream(`organization-${studio}`);
    t.notMatch(JSON.stringify(declined.map((e) => e.data)), nina.id, 'declining tells the organization nothing of who she is');
  });

  t.test('an invalid work contact on accepting is 400, every field named', async (t) => {
    const { nina, toClinic } = await givenInvitee();
    const badContact = await call(app, 'POST', `/api/v1/invitations/${toClinic}/accept`, { token: nina.token, body: { work_email: 'nope', work_phone: '12' } });
    t.equal(badContact.status, 400);
    t.same(Object.keys(badContact.body.errors).sort(), ['work_email', 'work_phone']);
  });

  t.test('accepting with a work phone makes her a member with that contact', async (t) => {
    const { clinic, nina, toClinic, toStudio } = await givenInvitee();
    const accepted = await call(app, 'POST', `/api/v1/invitations/${toClinic}/accept`, { token: nina.token, body: { work_phone: '8 (495) 123-45-67' } });
    t.equal(accepted.status, 200);
    t.same(accepted.body, {
      organization: { id: clinic, name: 'Clinic' },
      user: { id: nina.id, first_name: 'Nina', last_name: '', patronymic: '', work_email: null, work_phone: '+74951234567' },
      role: 'manager',
      added_at: accepted.body.added_at,
    });
    t.equal((await call(app, 'GET', `/api/v1/organizations/${clinic}`, { token: nina.token })).status, 200, 'she is a member now');
    t.same((await call(app, 'GET', '/api/v1/invitations', { token: nina.token })).body.map((i: { id: string }) => i.id), [toStudio], 'the accepted invitation is gone');
  });

  t.test('a member accepts no second invitation to her organization, but may decline it', async (t) => {
    const { owner, clinic, nina, toClinic } = await givenInvitee();
    t.equal((await call(app, 'POST', `/api/v1/invitations/${toClinic}/accept`, { token: nina.token, body: {} })).status, 200);
    const again = await invite(runtime, clinic, owner, nina.email, 'admin');
    const member = await call(app, 'POST', `/api/v1/invitations/${again}/accept`, { token: nina.token, body: {} });
    t.equal(member.status, 409, 'a member does not join twice');
    t.same(member.body, { detail: 'You are already a member of this organization.' });
    t.equal((await call(app, 'POST', `/api/v1/invitations/${again}/decline`, { token: nina.token })).status, 204, 'but may decline');
  });

  const id = randomUUID();
  const invitee = [['GET', '/api/v1/invitations'], ['POST', `/api/v1/invitations/${id}/accept`], ['POST', `/api/v1/invitations/${id}/decline`]] as const;

  t.test('invitation routes refuse anonymous callers: 401', async (t) => {
    for (const [method, url] of invitee) t.equal((await call(app, method, url)).status, 401, `${method} ${url} anonymous`);
  });

  t.test('invitation routes refuse clients: 403', async (t) => {
    const client = (await startSession(runtime.deps.db, runtime.deps.tokens, { id: randomUUID(), kind: 'client' }, new Date())).access;
    for (const [method, url] of invitee) t.equal((await call(app, method, url, { token: client })).status, 403, `${method} ${url} as a client`);
  });

  t.test('accepting an unknown invitation is 404', async (t) => {
    const someone = await staff('someone');
    t.equal((await call(app, 'POST', `/api/v1/invitations/${id}/accept`, { token: someone.token })).status, 404, 'an unknown invitation');
  });

  t.test('accepting a malformed invitation id is 400', async (t) => {
    const someone = await staff('someone');
    t.equal((await call(app, 'POST', '/api/v1/invitations/not-a-uuid/accept', { token: someone.token })).status, 400);
  });
});
