import t from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { conform, send, type Example } from '../helpers/compat.js';
import { eventCount, person, signIn } from '../helpers/clients.js';
import { clinic, recordOf, type Clinic } from '../helpers/scheduling.js';
import { addMember, staffMember, type StaffMember } from '../helpers/staff.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';

// Seed 002's clients (/compat/002/api/v1/clients/): "GET - List of clients,
// POST - Adding Clients" for its admin and managers, "PUT - Change data on
// request, available only to the admin", DELETE likewise. The seed's admin is
// our owner or admin, its manager our manager; a client is never staff. The
// seed shows no client fields: a client is /api/v1's record of a client.

const BASE = '/compat/002/api/v1';
const UNAUTHENTICATED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

/** A record as the routes answer it (/api/v1's, with the clinic as `organization`), values of the same JSON type (email, birthday and sex may be null). */
const RECORD = {
  id: '', organization: '', phone: '', first_name: '', last_name: '', patronymic: '',
  address: '', additional_info: '', links: {}, registration_date: '', updated_at: '', linked: false, shared: {},
};

let clinics = 0;

/** A clinic with an owner, an admin and a manager, and a client who can sign in. */
async function world(runtime: TestRuntime) {
  const c = await clinic(runtime, `Clinic ${++clinics}`);
  const admin = await staffMember(runtime, uniqueEmail('admin'));
  await addMember(runtime, c.org, c.owner, admin, 'admin');
  const someone = await person(runtime, uniquePhone());
  return { c, admin, client: someone };
}

t.test('seed 002: clients', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;

  t.test('every route with the rights the seed gives: anonymous 401, a client 403, the manager lists, adds and reads, only the admin changes and deletes', async (t) => {
    const { c, admin, client } = await world(runtime);
    const record = await recordOf(runtime, c, uniquePhone(), 'Anna');
    const one = `${BASE}/clients/${record}/`;
    const put = { first_name: 'Anna', last_name: 'Petrova', phone: '+7 (952) 111-22-33', additional_info: 'allergic to latex' };
    const routes: [Example['method'], string, unknown?][] = [['GET', `${BASE}/clients/`], ['POST', `${BASE}/clients/`, { first_name: 'Ivan', phone: uniquePhone() }],
      ['GET', one], ['PUT', one, put], ['DELETE', one]];
    for (const [method, url, body] of routes) {
      await conform(t, app, { name: `${method} ${url} anonymous`, method, url, body, status: 401, values: UNAUTHENTICATED });
      await conform(t, app, { name: `${method} ${url} by a client`, method, url, body, token: client.token, status: 403, values: FORBIDDEN });
    }
    const before = await eventCount(runtime);
    await conform(t, app, { name: 'PUT by the manager', method: 'PUT', url: one, body: put, token: c.manager.token, status: 403, values: FORBIDDEN });
    await conform(t, app, { name: 'DELETE by the manager', method: 'DELETE', url: one, token: c.manager.token, status: 403, values: FORBIDDEN });
    t.equal(await eventCount(runtime), before, 'the manager changed nothing');

    const added = await conform(t, app, {
      name: 'POST by the manager', method: 'POST', url: `${BASE}/clients/`, token: c.manager.token,
      body: { first_name: 'Ivan', last_name: 'Sidorov', phone: '8 952 777-00-01', birthday: '1990-04-01' },
      status: 201, shape: RECORD, values: { organization: c.org, first_name: 'Ivan', last_name: 'Sidorov', phone: '+79527770001', birthday: '1990-04-01', linked: false },
    });
    const list = await conform(t, app, { name: 'GET the list by the manager', method: 'GET', url: `${BASE}/clients/`, token: c.manager.token, status: 200, shape: [RECORD] });
    t.same(list.body.map((r: { id: string }) => r.id).sort(), [record, added.body.id].sort(), 'a plain array of the clinic’s records');
    await conform(t, app, { name: 'GET one by the manager', method: 'GET', url: one, token: c.manager.token, status: 200, shape: RECORD, values: { id: record, first_name: 'Anna' } });
    await conform(t, app, {
      name: 'PUT by the admin', method: 'PUT', url: one, body: put, token: admin.token,
      status: 200, shape: RECORD, values: { id: record, last_name: 'Petrova', phone: '+79521112233', additional_info: 'allergic to latex' },
    });
    const replaced = await conform(t, app, { name: 'PUT by the owner', method: 'PUT', url: one, body: { first_name: 'Anya', phone: '+79521112233' }, token: c.owner.token, status: 200, shape: RECORD });
    t.match(replaced.body, { first_name: 'Anya', last_name: '', additional_info: '' }, 'PUT replaces: fields left out are emptied');
    const sentBack = await send(app, { method: 'PUT', url: one, token: c.owner.token, body: { ...replaced.body, first_name: 'Anna' } });
    t.match(sentBack, { status: 200, body: { first_name: 'Anna', organization: c.org } }, 'what GET answered may be sent back: the read-only fields are ignored');
    t.match((await call(app, 'GET', `/api/v1/clients/${record}`, { token: c.manager.token })).body, { first_name: 'Anna' }, '/api/v1 reads the same record');
    await conform(t, app, { name: 'DELETE by the admin', method: 'DELETE', url: one, token: admin.token, status: 204 });
    await conform(t, app, { name: 'GET the deleted one', method: 'GET', url: one, token: admin.token, status: 404, values: { detail: 'Not found.' } });
    await conform(t, app, { name: 'DELETE again', method: 'DELETE', url: `${BASE}/clients/${added.body.id}/`, token: c.owner.token, status: 204 });
    t.same((await send(app, { method: 'GET', url: `${BASE}/clients/`, token: c.owner.token })).body, [], 'the book is empty');
  });

  t.test('the list holds every record, past one page of the query, and filters by ?search= and ?ordering=', async (t) => {
    const { c } = await world(runtime);
    const names = Array.from({ length: 105 }, (_, i) => `Client${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 15) {
      await Promise.all(names.slice(i, i + 15).map((name) => recordOf(runtime, c, uniquePhone(), name)));
    }
    const all = await send(app, { method: 'GET', url: `${BASE}/clients/`, token: c.manager.token });
    t.equal(all.status, 200);
    t.same(all.body.map((r: { first_name: string }) => r.first_name), names, 'all 105, by name');
    const reversed = await send(app, { method: 'GET', url: `${BASE}/clients/?ordering=-name`, token: c.manager.token });
    t.equal(reversed.body[0].first_name, 'Client104');
    const found = await send(app, { method: 'GET', url: `${BASE}/clients/?search=client10`, token: c.manager.token });
    t.same(found.body.map((r: { first_name: string }) => r.first_name), ['Client100', 'Client101', 'Client102', 'Client103', 'Client104']);
  });

  t.test('staff of another clinic neither see nor change its clients (404), and nothing is appended', async (t) => {
    const [a, b] = [await world(runtime), await world(runtime)];
    const record = await recordOf(runtime, a.c, uniquePhone(), 'Private');
    const one = `${BASE}/clients/${record}/`;
    const before = await eventCount(runtime);
    for (const intruder of [b.c.owner, b.admin, b.c.manager]) {
      for (const [method, body] of [['GET'], ['PUT', { first_name: 'Hacked', phone: uniquePhone() }], ['DELETE']] as const) {
        await conform(t, app, { name: `${method} of clinic A's record by ${intruder.email}`, method, url: one, body, token: intruder.token, status: 404, values: { detail: 'Not found.' } });
      }
    }
    const listed = await send(app, { method: 'GET', url: `${BASE}/clients/?organization=${a.c.org}`, token: b.c.owner.token });
    t.equal(listed.status, 404, 'naming clinic A does not open its list');
    const added = await send(app, { method: 'POST', url: `${BASE}/clients/`, token: b.c.owner.token, body: { organization: a.c.org, first_name: 'Planted', phone: uniquePhone() } });
    t.equal(added.status, 404, 'nor lets a record in');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.match((await call(app, 'GET', `/api/v1/clients/${record}`, { token: a.c.owner.token })).body, { first_name: 'Private' });
  });

  t.test('bad input is a 400 naming the fields, DRF style, and appends nothing', async (t) => {
    const { c } = await world(runtime);
    const elsewhere = await world(runtime);
    const record = await recordOf(runtime, c, uniquePhone());
    const before = await eventCount(runtime);
    await conform(t, app, { name: 'POST without fields', method: 'POST', url: `${BASE}/clients/`, body: {}, token: c.owner.token, status: 400,
      values: { first_name: ['This field is required.'], phone: ['This field is required.'] } });
    await conform(t, app, { name: 'POST with a bad phone and an unknown field', method: 'POST', url: `${BASE}/clients/`, token: c.owner.token,
      body: { first_name: 'X', phone: 'not a phone', is_staff: true }, status: 400, values: { phone: ['Enter a valid phone number.'], is_staff: [/Unknown field/] } });
    await conform(t, app, { name: 'PUT with a bad birthday', method: 'PUT', url: `${BASE}/clients/${record}/`, token: c.owner.token,
      body: { first_name: 'X', phone: uniquePhone(), birthday: '01.04.1990' }, status: 400, values: { birthday: ['Date has wrong format. Use YYYY-MM-DD.'] } });
    await conform(t, app, { name: 'PUT into another clinic', method: 'PUT', url: `${BASE}/clients/${record}/`, token: c.owner.token,
      body: { first_name: 'X', phone: uniquePhone(), organization: elsewhere.c.org }, status: 400, values: { organization: ['A client stays in its clinic.'] } });
    await conform(t, app, { name: 'GET a malformed id', method: 'GET', url: `${BASE}/clients/42/`, token: c.owner.token, status: 400, values: { id: ['Must be a valid UUID.'] } });
    await conform(t, app, { name: 'a body that is not JSON', method: 'POST', url: `${BASE}/clients/`, token: c.owner.token,
      body: '{"first_name":', headers: { 'content-type': 'application/json' }, status: 400, values: { detail: 'The request body is not valid JSON.' } });
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('the trust model over the seed: a record has no password, so staff cannot set one through PUT (403, nothing appended)', async (t) => {
    const { c } = await world(runtime);
    const someone = await person(runtime, uniquePhone());
    const record = (await send(app, { method: 'POST', url: `${BASE}/clients/`, token: c.owner.token, body: { first_name: 'Linked', phone: someone.phone } })).body.id as string;
    const before = await eventCount(runtime);
    await conform(t, app, { name: 'PUT with a password', method: 'PUT', url: `${BASE}/clients/${record}/`, token: c.owner.token,
      body: { first_name: 'Linked', phone: someone.phone, password: 'taken-over-1' }, status: 403, values: FORBIDDEN });
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.ok(await signIn(runtime, someone.phone, someone.password), 'the person still signs in with their own password');
  });

  t.test('POST with a password: always a new record; the password is only the first one of a new account, never a takeover', async (t) => {
    const { c } = await world(runtime);
    const someone = await person(runtime, uniquePhone());
    const added = await conform(t, app, { name: 'POST for a phone with an account', method: 'POST', url: `${BASE}/clients/`, token: c.manager.token,
      body: { first_name: 'Taken', phone: someone.phone, password: 'taken-over-1' }, status: 201, shape: RECORD, values: { phone: someone.phone, linked: false } });
    const again = await send(app, { method: 'POST', url: `${BASE}/clients/`, token: c.manager.token, body: { first_name: 'Taken', phone: someone.phone } });
    t.equal(again.status, 201);
    t.not(again.body.id, added.body.id, 'a second record: a record is the clinic’s own data, not an account');
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: someone.phone, password: 'taken-over-1' } })).status, 401, 'the staff’s password opens nothing');
    t.ok(await signIn(runtime, someone.phone, someone.password), 'the person’s own still does');
  });

  t.test('staff of several clinics name one with ?organization= (or the body); without it, a 400 naming organization', async (t) => {
    const [a, b] = [await world(runtime), await world(runtime)];
    const both: StaffMember = a.c.owner;
    await addMember(runtime, b.c.org, b.c.owner, both, 'manager');
    const inB = await recordOf(runtime, b.c as Clinic, uniquePhone(), 'InB');
    await conform(t, app, { name: 'GET without organization', method: 'GET', url: `${BASE}/clients/`, token: both.token, status: 400, values: { organization: ['This field is required.'] } });
    const listed = await send(app, { method: 'GET', url: `${BASE}/clients/?organization=${b.c.org}`, token: both.token });
    t.same(listed.body.map((r: { id: string }) => r.id), [inB], 'clinic B’s book');
    const added = await send(app, { method: 'POST', url: `${BASE}/clients/`, token: both.token, body: { organization: b.c.org, first_name: 'New', phone: uniquePhone() } });
    t.match(added, { status: 201, body: { organization: b.c.org } });
    t.equal((await send(app, { method: 'GET', url: `${BASE}/clients/${inB}/`, token: both.token })).status, 200, 'a record names its own clinic');
    t.equal((await send(app, { method: 'DELETE', url: `${BASE}/clients/${inB}/`, token: both.token })).status, 403, 'where they are a manager, they do not delete');
  });
});
