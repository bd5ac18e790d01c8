import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startSession } from '../../src/auth/sessions.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, invite, organizationOf, staffMember, verifyEmail } from '../helpers/staff.js';

t.test('an organization invites, lists and revokes; only an owner invites or revokes an owner', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example');
  const admin = await staffMember(runtime, 'admin@clinic.example');
  const manager = await staffMember(runtime, 'manager@clinic.example');
  const org = await organizationOf(runtime, owner);
  await addMember(runtime, org, owner, admin, 'admin');
  await addMember(runtime, org, owner, manager, 'manager');
  const invitations = `/api/v1/organizations/${org}/invitations`;

  const created = await call(app, 'POST', invitations, { token: admin.token, body: { email: 'Doctor@Mail.example', role: 'specialist' } });
  t.equal(created.status, 201);
  t.same(created.body, { id: created.body.id, email: 'doctor@mail.example', role: 'specialist', status: 'pending', created_at: created.body.created_at });
  t.ok(Date.parse(created.body.created_at));
  const twice = await call(app, 'POST', invitations, { token: owner.token, body: { email: 'doctor@mail.example', role: 'manager' } });
  t.equal(twice.status, 409);
  t.same(twice.body, { detail: 'This email already has a pending invitation.' });

  t.equal((await call(app, 'POST', invitations, { token: admin.token, body: { email: 'boss@mail.example', role: 'owner' } })).status, 403, 'an admin does not invite an owner');
  const toOwner = await call(app, 'POST', invitations, { token: owner.token, body: { email: 'boss@mail.example', role: 'owner' } });
  t.equal(toOwner.status, 201, 'an owner does');
  t.equal((await call(app, 'POST', invitations, { token: manager.token, body: { email: 'x@mail.example', role: 'auditor' } })).status, 403, 'a manager invites nobody');
  t.equal((await call(app, 'GET', invitations, { token: manager.token })).status, 403, 'nor sees the invitations');
  const invalid = await call(app, 'POST', invitations, { token: owner.token, body: { email: 'nope', role: 'janitor' } });
  t.equal(invalid.status, 400);
  t.same(Object.keys(invalid.body.errors).sort(), ['email', 'role']);

  const listed = await call(app, 'GET', invitations, { token: admin.token });
  t.same(listed.body.map((i: { email: string; role: string }) => [i.email, i.role]), [['doctor@mail.example', 'specialist'], ['boss@mail.example', 'owner']]);

  t.equal((await call(app, 'DELETE', `${invitations}/${toOwner.body.id}`, { token: admin.token })).status, 403, 'an admin does not revoke an invitation to owner');
  t.equal((await call(app, 'DELETE', `${invitations}/${created.body.id}`, { token: admin.token })).status, 204);
  t.equal((await call(app, 'DELETE', `${invitations}/${created.body.id}`, { token: admin.token })).status, 404, 'revoked once');
  t.equal((await call(app, 'DELETE', `${invitations}/${randomUUID()}`, { token: admin.token })).status, 404);
  t.same((await call(app, 'GET', invitations, { token: owner.token })).body.map((i: { email: string }) => i.email), ['boss@mail.example']);

  const doctor = await staffMember(runtime, 'doctor@mail.example');
  await verifyEmail(runtime, doctor);
  t.same((await call(app, 'GET', '/api/v1/invitations', { token: doctor.token })).body, [], 'a revoked invitation is gone for the invitee too');
  t.equal((await call(app, 'POST', `/api/v1/invitations/${created.body.id}/accept`, { token: doctor.token, body: {} })).status, 404);
  t.equal((await call(app, 'POST', invitations, { token: admin.token, body: { email: 'doctor@mail.example', role: 'specialist' } })).status, 201, 'the email may be invited again');

  const other = await organizationOf(runtime, owner, 'Other');
  const elsewhere = await call(app, 'DELETE', `/api/v1/organizations/${other}/invitations/${toOwner.body.id}`, { token: owner.token });
  t.equal(elsewhere.status, 404, "another organization's invitation is not found through this one");
});

t.test('the invitee lists, declines and accepts, choosing a work contact; a member accepts nothing twice', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.example');
  const clinic = await organizationOf(runtime, owner, 'Clinic');
  const studio = await organizationOf(runtime, owner, 'Studio');
  const nina = await staffMember(runtime, 'nina@mail.example', { first_name: 'Nina' });
  await verifyEmail(runtime, nina);
  const toClinic = await invite(runtime, clinic, owner, 'nina@mail.example', 'manager');
  const toStudio = await invite(runtime, studio, owner, 'nina@mail.example', 'auditor');

  const mine = await call(app, 'GET', '/api/v1/invitations', { token: nina.token });
  t.same(
    mine.body.map((i: { id: string; organization: { name: string }; role: string }) => [i.id, i.organization.name, i.role]),
    [[toClinic, 'Clinic', 'manager'], [toStudio, 'Studio', 'auditor']],
  );

  t.equal((await call(app, 'POST', `/api/v1/invitations/${toStudio}/decline`, { token: nina.token })).status, 204);
  t.equal((await call(app, 'POST', `/api/v1/invitations/${toStudio}/decline`, { token: nina.token })).status, 404, 'declined once');
  t.same((await call(app, 'GET', `/api/v1/organizations/${studio}/invitations`, { token: owner.token })).body, [], 'the studio no longer waits');
  const declined = await runtime.deps.store.readStream(`organization-${studio}`);
  t.notMatch(JSON.stringify(declined.map((e) => e.data)), nina.id, 'declining tells the organization nothing of who she is');

  const badContact = await call(app, 'POST', `/api/v1/invitations/${toClinic}/accept`, { token: nina.token, body: { work_email: 'nope', work_phone: '12' } });
  t.equal(badContact.status, 400);
  t.same(Object.keys(badContact.body.errors).sort(), ['work_email', 'work_phone']);
  const accepted = await call(app, 'POST', `/api/v1/invitations/${toClinic}/accept`, { token: nina.token, body: { work_phone: '8 (495) 123-45-67' } });
  t.equal(accepted.status, 200);
  t.same(accepted.body, {
    organization: { id: clinic, name: 'Clinic' },
    user: { id: nina.id, first_name: 'Nina', last_name: '', patronymic: '', work_email: null, work_phone: '+74951234567' },
    role: 'manager',
    added_at: accepted.body.added_at,
  });
  t.equal((await call(app, 'GET', `/api/v1/organizations/${clinic}`, { token: nina.token })).status, 200, 'she is a member now');
  t.same((await call(app, 'GET', '/api/v1/invitations', { token: nina.token })).body, []);

  const again = await invite(runtime, clinic, owner, 'nina@mail.example', 'admin');
  const member = await call(app, 'POST', `/api/v1/invitations/${again}/accept`, { token: nina.token, body: {} });
  t.equal(member.status, 409, 'a member does not join twice');
  t.same(member.body, { detail: 'You are already a member of this organization.' });
  t.equal((await call(app, 'POST', `/api/v1/invitations/${again}/decline`, { token: nina.token })).status, 204, 'but may decline');
});

t.test('invitation routes: staff only, signed in', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const id = randomUUID();
  const client = (await startSession(runtime.deps.db, runtime.deps.tokens, { id: randomUUID(), kind: 'client' }, new Date())).access;
  for (const [method, url] of [['GET', '/api/v1/invitations'], ['POST', `/api/v1/invitations/${id}/accept`], ['POST', `/api/v1/invitations/${id}/decline`]] as const) {
    t.equal((await call(app, method, url)).status, 401, `${method} ${url} anonymous`);
    t.equal((await call(app, method, url, { token: client })).status, 403, `${method} ${url} as a client`);
  }
  const staff = await staffMember(runtime, 'someone@mail.example');
  t.equal((await call(app, 'POST', `/api/v1/invitations/${id}/accept`, { token: staff.token })).status, 404, 'an unknown invitation');
  t.equal((await call(app, 'POST', '/api/v1/invitations/not-a-uuid/accept', { token: staff.token })).status, 400);
});
