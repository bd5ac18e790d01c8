import t from 'tap';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { addRecord, person } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { addMember, invite, organizationOf, staffMember, verifyEmail } from '../helpers/staff.js';

// GET /api/v1/users/me/export: everything held about the signed-in staff
// user (docs/privacy.md, "Export"), and nothing of anyone else: not the
// colleagues who invited them, not the other members, not the clients.

const EXPORT = '/api/v1/users/me/export';

async function world(runtime: TestRuntime) {
  const { app } = runtime;
  const phone = uniquePhone();
  const stanislava = await staffMember(runtime, uniqueEmail('stanislava'), { first_name: 'Stanislava', last_name: 'Exportova', address: 'Home street 1', phone });
  const own = await organizationOf(runtime, stanislava, 'Her Own Studio');
  const other = await staffMember(runtime, uniqueEmail('zebulon', 'hidden-staff.example'), { first_name: 'Zebulon', last_name: 'Quartermaine' });
  const theirs = await organizationOf(runtime, other, 'Their Clinic');
  await addMember(runtime, theirs, other, stanislava, 'manager', { work_email: 'stanislava-desk@their.example' });
  const colleague = await staffMember(runtime, uniqueEmail('xanthippe', 'hidden-staff.example'), { first_name: 'Xanthippe', last_name: 'Vorobyeva' });
  await addMember(runtime, theirs, other, colleague, 'specialist');
  const third = await organizationOf(runtime, other, 'Third Place');
  const pending = await invite(runtime, third, other, stanislava.email, 'auditor');
  const client = await person(runtime, uniquePhone(), { first_name: 'Borislav', last_name: 'Othermanov' });
  await addRecord(runtime, own, stanislava.token, { first_name: 'Borislav', last_name: 'Othermanov', phone: client.phone });
  const changed = await call(app, 'PATCH', '/api/v1/users/me', { token: stanislava.token, body: { patronymic: 'Ivanovna' } });
  if (changed.status !== 200) throw new Error(`changing the profile: ${changed.status}`);
  return { stanislava, phone, own, other, theirs, colleague, third, pending, client };
}

t.test('a staff user’s export', async (t) => {
  const runtime = await startRuntime(t);
  const w = await world(runtime);
  const exported = await call(runtime.app, 'GET', EXPORT, { token: w.stanislava.token });

  t.test('is one JSON attachment', async (t) => {
    t.equal(exported.status, 200);
    t.match(exported.headers['content-disposition'], /^attachment; filename="export-\d{4}-\d{2}-\d{2}\.json"$/);
  });

  t.test('holds the account with its verified flags, a change just made included', async (t) => {
    t.match(exported.body.account, {
      id: w.stanislava.id,
      email: w.stanislava.email,
      confirmed_email: true,
      phone: w.phone,
      confirmed_phone: false,
      first_name: 'Stanislava',
      last_name: 'Exportova',
      patronymic: 'Ivanovna',
      address: 'Home street 1',
      platform_admin: false,
    });
  });

  t.test('holds the memberships with role, date and work contact', async (t) => {
    t.match(exported.body.memberships, [
      { organization: { id: w.own, name: 'Her Own Studio' }, role: 'owner', work_contact: { email: null, phone: null } },
      { organization: { id: w.theirs, name: 'Their Clinic' }, role: 'manager', work_contact: { email: 'stanislava-desk@their.example', phone: null } },
    ]);
    t.equal(exported.body.memberships.length, 2);
  });

  t.test('holds the invitations to their email, answered or not', async (t) => {
    t.match(exported.body.invitations, [
      { organization: { id: w.theirs, name: 'Their Clinic' }, email: w.stanislava.email, role: 'manager', status: 'accepted' },
      { id: w.pending, organization: { id: w.third, name: 'Third Place' }, role: 'auditor', status: 'pending', answered_at: null },
    ]);
    t.equal(exported.body.invitations.length, 2);
  });

  t.test('holds the events of their own stream, actors by role', async (t) => {
    const seen = (exported.body.history as { type: string; actor: string }[]).map((e) => `${e.type} by ${e.actor}`);
    t.same(seen, ['UserRegistered by anonymous', 'EmailVerificationRequested by you', 'EmailVerified by you', 'UserProfileChanged by you']);
    t.match(exported.body.history[0].data, { email: w.stanislava.email, phone: w.phone }, 'data as the store reads it, in clear');
  });

  t.test('holds nothing of other people: no other member, inviter or client', async (t) => {
    const text = JSON.stringify(exported.body);
    const others = [w.other.id, w.other.email, 'Zebulon', 'Quartermaine', w.colleague.id, w.colleague.email, 'Xanthippe', 'Vorobyeva', 'hidden-staff', w.client.id, w.client.phone, 'Borislav', 'Othermanov'];
    for (const other of others) t.notOk(text.includes(other), `not ${other}`);
  });

  t.test('is always the caller’s own: another staff token exports that user', async (t) => {
    const theirs = await call(runtime.app, 'GET', EXPORT, { token: w.colleague.token });
    t.equal(theirs.status, 200);
    t.equal(theirs.body.account.id, w.colleague.id);
    const text = JSON.stringify(theirs.body);
    for (const mine of [w.stanislava.id, w.stanislava.email, w.phone, 'Exportova', 'Home street 1', 'stanislava-desk']) t.notOk(text.includes(mine), `not ${mine}`);
  });

  t.test('refuses a client token (403) and no token (401)', async (t) => {
    const client = await person(runtime, uniquePhone());
    t.equal((await call(runtime.app, 'GET', EXPORT, { token: client.token })).status, 403);
    t.equal((await call(runtime.app, 'GET', EXPORT)).status, 401);
  });

  t.test('invitations to an email not yet confirmed are not shown: it may be someone else’s', async (t) => {
    const unconfirmed = await staffMember(runtime, uniqueEmail('unconfirmed'));
    await invite(runtime, w.third, w.other, unconfirmed.email, 'auditor');
    const before = await call(runtime.app, 'GET', EXPORT, { token: unconfirmed.token });
    t.same(before.body.invitations, []);
    await verifyEmail(runtime, unconfirmed);
    const after = await call(runtime.app, 'GET', EXPORT, { token: unconfirmed.token });
    t.equal(after.body.invitations.length, 1);
  });
});
