import t from 'tap';
import { clientStream } from '../../src/events/clients/client.js';
import { clientRecordStream } from '../../src/events/clients/client-record.js';
import { ERASED } from '../../src/events/personal.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { bookSelf, clinic, everyDay, linkedRecord, specialist } from '../helpers/scheduling.js';
import { addMember, staffMember } from '../helpers/staff.js';
import { grantPlatformAdmin } from '../helpers/trust-matrix-rules.js';

// An organization erases its own record of a client; a platform admin erases
// a person's account on their verified request. Each behaviour brings its
// own person; they share one runtime, two clinics and an admin.

t.test('erasure by an organization and by a platform admin', async (t) => {
  const runtime = await startRuntime(t);
  const { app, store } = runtime;
  const { db } = runtime.connection;
  const a = await clinic(runtime, 'Erasure A');
  const b = await clinic(runtime, 'Erasure B');
  const admin = await staffMember(runtime, 'root@erasure.example');
  await grantPlatformAdmin(runtime, admin);
  const specialistOfA = await staffMember(runtime, 'specialist@erasure-a.example');
  await addMember(runtime, a.org, a.owner, specialistOfA, 'specialist');

  /** A person linked to a record at each clinic. */
  async function linkedTwice() {
    const p = await person(runtime, uniquePhone(), { first_name: 'Olga', last_name: 'Sidorova' });
    return { p, atA: await linkedRecord(runtime, a, p.phone, p.token), atB: await linkedRecord(runtime, b, p.phone, p.token) };
  }
  const eraseRecord = (org: string, record: string, token: string) => call(app, 'POST', `/api/v1/organizations/${org}/clients/${record}/erasure`, { token });

  t.test('an organization erases its record: unlinked (recorded on both streams), erased, the row blanked', async (t) => {
    const { p, atA } = await linkedTwice();
    const reply = await eraseRecord(a.org, atA, a.manager.token);
    t.equal(reply.status, 200);
    t.same(reply.body, { erased: true, records: 1, events_in_clear: 0 });
    t.same((await streamTypes(runtime, clientRecordStream(atA))).slice(-2), ['ClientRecordUnlinked', 'ClientRecordErased']);
    t.equal((await streamTypes(runtime, clientStream(p.id))).at(-1), 'ClientUnlinkedFromRecord');
    const erased = (await store.readStream(clientRecordStream(atA))).at(-1)!;
    t.same(Object.keys(erased.data as object).sort(), ['by', 'erasedAt', 'organizationId', 'recordId'], 'nothing personal in the event');
    t.equal((erased.data as { by: string }).by, 'organization');
    const row = await db.selectFrom('client_records').selectAll().where('id', '=', atA).executeTakeFirstOrThrow();
    t.same([row.organization_id, row.account_id, row.first_name, row.phone, row.email], [a.org, null, ERASED, ERASED, null]);
  });

  t.test('a person whose record the organization erased books there again, on a new record', async (t) => {
    const doctor = await specialist(runtime, a, 'Dr Again', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 });
    const p = await person(runtime, uniquePhone(), { first_name: 'Raisa' });
    const hour = (n: number) => new Date((Math.floor(Date.now() / 3_600_000) + n) * 3_600_000).toISOString();
    const first = await bookSelf(runtime, a.org, p.token, { specialist_id: doctor, start: hour(30) });
    t.equal(first.status, 201);
    const erasedRecord = first.body.client_id as string;
    t.equal((await eraseRecord(a.org, erasedRecord, a.owner.token)).status, 200);
    const again = await bookSelf(runtime, a.org, p.token, { specialist_id: doctor, start: hour(32) });
    t.equal(again.status, 201, 'booked');
    t.not(again.body.client_id, erasedRecord, 'on a record other than the erased one');
    t.equal((await call(app, 'GET', `/api/v1/clients/${again.body.client_id}`, { token: a.owner.token })).body.first_name, 'Raisa', 'which the clinic reads in clear');
  });

  t.test('the person’s account and the other organization’s record are untouched', async (t) => {
    const { p, atA, atB } = await linkedTwice();
    t.equal((await eraseRecord(a.org, atA, a.owner.token)).status, 200);
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: p.token });
    t.equal(me.status, 200, 'the person still signs in');
    t.equal(me.body.first_name, 'Olga');
    t.same(me.body.organizations.map((o: { id: string }) => o.id), [b.org], 'still linked at the other clinic');
    const other = await call(app, 'GET', `/api/v1/clients/${atB}`, { token: b.owner.token });
    t.equal(other.status, 200);
    t.equal(other.body.phone, p.phone, 'the other clinic’s record reads in clear');
    t.notOk((await streamTypes(runtime, clientStream(p.id))).includes('ClientErased'));
  });

  t.test('an erased record takes no change any more: 404', async (t) => {
    const { atA } = await linkedTwice();
    t.equal((await eraseRecord(a.org, atA, a.owner.token)).status, 200);
    const before = await eventCount(runtime);
    t.equal((await call(app, 'PATCH', `/api/v1/clients/${atA}`, { token: a.owner.token, body: { first_name: 'Back' } })).status, 404);
    t.equal(await eventCount(runtime), before);
  });

  t.test('a specialist may not erase (403), another organization cannot see the record (404); nothing is appended', async (t) => {
    const { atA } = await linkedTwice();
    const before = await eventCount(runtime);
    t.equal((await eraseRecord(a.org, atA, specialistOfA.token)).status, 403);
    t.equal((await eraseRecord(b.org, atA, b.owner.token)).status, 404);
    t.equal(await eventCount(runtime), before);
  });

  t.test('a platform admin erases an account: who, when and why are recorded, the event holds no personal data', async (t) => {
    const { p, atA, atB } = await linkedTwice();
    const reply = await call(app, 'POST', `/api/v1/clients/${p.id}/erasure`, { token: admin.token, body: { reason: 'verified request #4711' } });
    t.equal(reply.status, 200);
    t.same(reply.body, { erased: true, records: 2, events_in_clear: 0 });
    const event = (await store.readStream(clientStream(p.id))).at(-1)!;
    t.equal(event.type, 'ClientErased');
    t.same(event.data, { clientId: p.id, by: 'platform_admin', records: [atA, atB], erasedAt: (event.data as { erasedAt: string }).erasedAt });
    t.match(event.metadata, { actor: { id: admin.id }, reason: 'verified request #4711' });
    t.notOk(event.metadata.keyOwner, 'not encrypted: there is nothing personal to encrypt');
    t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: p.token })).status, 403, 'the person’s sessions ended');
  });

  t.test('without a reason the admin is refused (400), others get 404; nothing is appended', async (t) => {
    const { p } = await linkedTwice();
    const before = await eventCount(runtime);
    t.equal((await call(app, 'POST', `/api/v1/clients/${p.id}/erasure`, { token: admin.token, body: {} })).status, 400);
    t.equal((await call(app, 'POST', `/api/v1/clients/${p.id}/erasure`, { token: a.owner.token, body: { reason: 'because' } })).status, 404);
    t.equal((await call(app, 'POST', `/api/v1/clients/${p.id}/erasure`, { token: p.token, body: { reason: 'because' } })).status, 403);
    t.equal(await eventCount(runtime), before);
  });

  t.test('asking again finishes an erasure and appends nothing twice', async (t) => {
    const { p } = await linkedTwice();
    t.equal((await call(app, 'POST', `/api/v1/clients/${p.id}/erasure`, { token: admin.token, body: { reason: 'first' } })).status, 200);
    const before = await eventCount(runtime);
    const again = await call(app, 'POST', `/api/v1/clients/${p.id}/erasure`, { token: admin.token, body: { reason: 'again' } });
    t.equal(again.status, 200);
    t.same(again.body, { erased: true, records: 2, events_in_clear: 0 });
    t.equal(await eventCount(runtime), before, 'nothing new');
  });
});
