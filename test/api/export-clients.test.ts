import t from 'tap';
import { clientDecider } from '../../src/commands/clients/client.js';
import { clientStream } from '../../src/events/clients/client.js';
import { findUnverifiedAccountIdByPhone } from '../../src/projections/clients/client-accounts.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { acceptRecord, addRecord, PASSWORD, person, type Person } from '../helpers/clients.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { until, waitFor } from '../helpers/waiting.js';
import { book, everyDay, place } from '../helpers/scheduling.js';
import { addMember, organizationOf, staffMember } from '../helpers/staff.js';
import { grantPlatformAdmin } from '../helpers/trust-matrix-rules.js';

// GET /api/v1/clients/me/export: everything held about the signed-in person
// (docs/privacy.md, "Export"), and nothing of anyone else. One clinic with
// distinctively named staff, Alisa (the exporter) and Boris (another client
// of the same clinic), each linked to the clinic's record of them.

const EXPORT = '/api/v1/clients/me/export';
const hours = (room: string) => ({ time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });
const at = (hour: number) => `2026-06-10T${String(hour).padStart(2, '0')}:00:00+03:00`;

async function world(runtime: TestRuntime) {
  const { app } = runtime;
  const owner = await staffMember(runtime, uniqueEmail('zebulon', 'hidden-staff.example'), { first_name: 'Zebulon', last_name: 'Quartermaine' });
  const doctor = await staffMember(runtime, uniqueEmail('xanthippe', 'hidden-staff.example'), { first_name: 'Xanthippe', last_name: 'Vorobyeva' });
  const org = await organizationOf(runtime, owner, 'Lilac Clinic');
  await addMember(runtime, org, owner, doctor, 'specialist', { work_email: 'xanthippe-desk@hidden-staff.example' });
  const room = await place(runtime, { org, owner, manager: owner }, 'Room Lilac');
  const specialist = await call(app, 'POST', `/api/v1/organizations/${org}/specialists`, {
    token: owner.token,
    body: { name: 'Dr Xanthippe Vorobyeva', specialty: 'osteopath', user_id: doctor.id },
  });
  await call(app, 'PUT', `/api/v1/specialists/${specialist.body.id}/working-hours`, { token: owner.token, body: hours(room) });

  const alisa = await person(runtime, uniquePhone(), { first_name: 'Alisa', last_name: 'Exportova', email: 'alisa@home.example' });
  const alisaRecord = await addRecord(runtime, org, owner.token, { first_name: 'Alisa-at-the-clinic', phone: alisa.phone, additional_info: 'prefers mornings' });
  await acceptRecord(runtime, alisa, alisaRecord, ['first_name', 'email']);
  const boris = await person(runtime, uniquePhone(), { first_name: 'Borislav', last_name: 'Othermanov', email: 'boris@elsewhere.example' });
  const borisRecord = await addRecord(runtime, org, owner.token, { first_name: 'Borislav-at-the-clinic', phone: boris.phone, additional_info: 'Othermanov notes' });
  await acceptRecord(runtime, boris, borisRecord, ['first_name', 'last_name']);

  const booked = async (record: string, hour: number, body: Record<string, unknown> = {}) => {
    const reply = await book(runtime, org, owner.token, { specialist_id: specialist.body.id, client_id: record, start: at(hour), place_id: room, ...body });
    if (reply.status !== 201) throw new Error(`booking: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.id as string;
  };
  const kept = await booked(alisaRecord, 10, { service: 'Osteopathy', cost: { amount: 450000, currency: 'RUB' } });
  const cancelled = await booked(alisaRecord, 12);
  await call(app, 'POST', `/api/v1/appointments/${cancelled}/cancel`, { token: owner.token, body: { reason: 'The room is closed' } });
  await booked(borisRecord, 14, { service: 'Othermanov session' });
  const changed = await call(app, 'PATCH', `/api/v1/clients/${alisa.id}`, { token: alisa.token, body: { patronymic: 'Petrovna' } });
  if (changed.status !== 200) throw new Error(`changing Alisa: ${changed.status}`);
  return { owner, doctor, org, room, specialist: specialist.body.id as string, alisa, alisaRecord, boris, borisRecord, kept, cancelled };
}

t.test('a client’s export', async (t) => {
  const runtime = await startRuntime(t, { now: () => new Date('2026-06-01T06:00:00Z') });
  const w = await world(runtime);
  const exported = await call(runtime.app, 'GET', EXPORT, { token: w.alisa.token });

  t.test('is one JSON attachment named by the day', async (t) => {
    t.equal(exported.status, 200);
    t.equal(exported.headers['content-disposition'], 'attachment; filename="export-2026-06-01.json"');
    t.equal(exported.headers['cache-control'], 'no-store');
    t.equal(exported.body.exported_at, '2026-06-01T06:00:00.000Z');
  });

  t.test('holds the account as the account holds it, a change just made included', async (t) => {
    t.same(exported.body.account, {
      id: w.alisa.id,
      phone: w.alisa.phone,
      confirmed_phone: true,
      first_name: 'Alisa',
      last_name: 'Exportova',
      patronymic: 'Petrovna',
      email: 'alisa@home.example',
      birthday: null,
      sex: null,
      address: '',
      additional_info: '',
      links: {},
      registered_at: '2026-06-01T06:00:00.000Z',
    });
  });

  t.test('holds each linked record as its organization holds it, with what the person shares', async (t) => {
    t.equal(exported.body.records.length, 1);
    t.match(exported.body.records[0], {
      id: w.alisaRecord,
      organization: { id: w.org, name: 'Lilac Clinic' },
      phone: w.alisa.phone,
      first_name: 'Alisa-at-the-clinic',
      additional_info: 'prefers mornings',
      shared: { first_name: 'Alisa', email: 'alisa@home.example' },
      linked_at: '2026-06-01T06:00:00.000Z',
    });
  });

  t.test('holds the appointments of the linked records with cost, service, specialty and place, and no specialist', async (t) => {
    const { appointments } = exported.body;
    t.same(appointments.map((a: { id: string }) => a.id), [w.kept, w.cancelled], 'Alisa’s only, oldest first');
    t.match(appointments[0], {
      organization: { id: w.org, name: 'Lilac Clinic' },
      record_id: w.alisaRecord,
      start: '2026-06-10T10:00:00+03:00',
      end: '2026-06-10T11:00:00+03:00',
      time_zone: 'Europe/Moscow',
      status: 'pending',
      service: 'Osteopathy',
      cost: { amount: 450000, currency: 'RUB' },
      specialty: 'osteopath',
      place: { name: 'Room Lilac' },
      cancel_reason: null,
      cancelled_by: null,
    });
    t.match(appointments[1], { status: 'cancelled', cancel_reason: 'The room is closed', cancelled_by: 'staff' });
    t.notOk('specialist_id' in appointments[0], 'the specialist is shown by specialty only');
  });

  t.test('holds the consents: which fields, with which organization, since when', async (t) => {
    t.same(exported.body.consents, [
      { organization: { id: w.org, name: 'Lilac Clinic' }, record_id: w.alisaRecord, fields: ['first_name', 'email'], since: '2026-06-01T06:00:00.000Z', via: 'accepted' },
    ]);
  });

  t.test('holds the events of the account and of the linked record, actors by role', async (t) => {
    const seen = (exported.body.history as { type: string; actor: string; source: string }[]).map((e) => `${e.source} ${e.type} by ${e.actor}`);
    for (const expected of [
      'account ClientRegistered by anonymous',
      'account PhoneVerified by anonymous',
      'account ClientLinkedToRecord by you',
      'account ClientProfileChanged by you',
      'record ClientRecordOpened by staff',
      'record ClientRecordLinked by you',
    ]) t.ok(seen.includes(expected), expected);
    const changed = exported.body.history.find((e: { type: string }) => e.type === 'ClientProfileChanged');
    t.match(changed.data, { clientId: w.alisa.id, changes: { patronymic: 'Petrovna' } }, 'data as the store reads it, in clear');
  });

  t.test('holds nothing of other people: no other client, no staff id, name or email', async (t) => {
    const text = JSON.stringify(exported.body);
    const others = [
      w.boris.id, w.boris.phone, w.borisRecord, 'Borislav', 'Othermanov', 'boris@elsewhere.example',
      w.owner.id, w.owner.email, 'Zebulon', 'Quartermaine',
      w.doctor.id, w.doctor.email, 'Xanthippe', 'Vorobyeva', 'xanthippe-desk@hidden-staff.example', 'hidden-staff', w.specialist,
    ];
    for (const other of others) t.notOk(text.includes(other), `not ${other}`);
  });

  t.test('is always the caller’s own: another person’s token exports that person', async (t) => {
    const theirs = await call(runtime.app, 'GET', EXPORT, { token: w.boris.token });
    t.equal(theirs.status, 200);
    t.equal(theirs.body.account.id, w.boris.id);
    const text = JSON.stringify(theirs.body);
    for (const mine of [w.alisa.id, w.alisa.phone, w.alisaRecord, 'Exportova', 'alisa@home.example', 'prefers mornings']) t.notOk(text.includes(mine), `not ${mine}`);
  });

  t.test('names a platform admin who changed the account by role, never by id', async (t) => {
    const root = await staffMember(runtime, uniqueEmail('root', 'platform-staff.example'), { first_name: 'Rootina' });
    await grantPlatformAdmin(runtime, root);
    const dana = await person(runtime, uniquePhone(), { first_name: 'Dana' });
    const changed = await call(runtime.app, 'PATCH', `/api/v1/clients/${dana.id}`, { token: root.token, body: { additional_info: 'fixed by support', reason: 'ticket 42' } });
    t.equal(changed.status, 200);
    const theirs = await call(runtime.app, 'GET', EXPORT, { token: dana.token });
    t.match(theirs.body.history.at(-1), { type: 'ClientProfileChanged', actor: 'platform_admin', data: { changes: { additionalInfo: 'fixed by support' } } });
    for (const other of [root.id, root.email, 'Rootina']) t.notOk(JSON.stringify(theirs.body).includes(other), `not ${other}`);
  });

  t.test('names staff who opened the account with a password (seed 000) by role', async (t) => {
    const phone = uniquePhone();
    await addRecord(runtime, w.org, w.owner.token, { first_name: 'Eva', phone, password: PASSWORD });
    // Adding a record waits for the records' read model only; a resend looks the account up in the accounts'.
    await waitFor('the account made with the record', async () => (await findUnverifiedAccountIdByPhone(runtime.deps.db, phone)) !== undefined, 30_000);
    const from = runtime.logs.length;
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } })).status, 202, 'the account asks for a code itself');
    const code = await smsCode(runtime, phone, from);
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } })).status, 200);
    const token = (await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone, password: PASSWORD } })).body.access as string;
    const theirs = await call(runtime.app, 'GET', EXPORT, { token });
    t.match(theirs.body.history[0], { type: 'ClientRegistered', actor: 'staff', source: 'account' });
    t.same(theirs.body.records, [], 'the record that made it is not linked: it is the organization’s until the person accepts it');
  });

  t.test('refuses a staff token (403) and no token (401)', async (t) => {
    t.equal((await call(runtime.app, 'GET', EXPORT, { token: w.owner.token })).status, 403);
    t.equal((await call(runtime.app, 'GET', EXPORT)).status, 401);
  });

  t.test('an unlinked record, and its appointments, leave the export', async (t) => {
    const carol: Person = await person(runtime, uniquePhone(), { first_name: 'Carol' });
    const record = await addRecord(runtime, w.org, w.owner.token, { first_name: 'Carol-at-the-clinic', phone: carol.phone });
    await acceptRecord(runtime, carol, record);
    t.equal((await call(runtime.app, 'DELETE', `/api/v1/clients/me/links/${record}`, { token: carol.token })).status, 204);
    const after = await call(runtime.app, 'GET', EXPORT, { token: carol.token });
    t.same([after.body.records, after.body.consents, after.body.appointments], [[], [], []]);
    t.notOk(JSON.stringify(after.body).includes('Carol-at-the-clinic'), 'nothing of the record once unlinked');
  });
});

t.test('a read model behind the log gives 202 with Retry-After, never a stale export', async (t) => {
  const runtime = await startRuntime(t, { env: { READ_YOUR_WRITES_TIMEOUT_MS: '0' } });
  const { app } = runtime;
  // Replies do not wait for the read models here: each step is retried until they have caught up.
  const phone = uniquePhone();
  const registered = await call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: PASSWORD } });
  const code = await smsCode(runtime, phone);
  await until(async () => ((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } })).status === 200 ? true : undefined));
  const token = await until(async () => (await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: PASSWORD } })).body.access as string | undefined);
  const id = registered.body.client_id as string;
  await Promise.all(runtime.runners.map((r) => r.stop()));
  // Written after the read models stopped: an export now could not include it.
  const metadata = { actor: { kind: 'client' as const, id }, correlationId: 'test', causationId: 'test' };
  await runtime.deps.handle(clientDecider, clientStream(id), { type: 'ChangeProfile', data: { changes: { lastName: 'Behind' }, now: new Date().toISOString() } }, metadata);
  const late = await call(app, 'GET', EXPORT, { token });
  t.equal(late.status, 202);
  t.equal(late.headers['retry-after'], '1');
  t.equal(late.headers.location, EXPORT);
  t.same(late.body, { detail: 'The change is saved and will be visible in a moment.', id });
});
