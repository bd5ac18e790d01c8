import t, { type Test } from 'tap';
import { conform, type Example } from '../helpers/compat.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { client, clinic, everyDay } from '../helpers/scheduling.js';
import { addMember, STAFF_PASSWORD, staffMember } from '../helpers/staff.js';

// Seed 002 (appointments_clinic), conformance: the document's one example
// (the form login, urlencoded and multipart) and each route of its
// "Intended data structure" with the rights it gives: Admin = the clinic's
// owner or admin, Manager = manager, Client = a client account; the lists of
// workers and their schedules are public. Workers, places and hours here;
// clients and appointments are in their own file.

const P = '/compat/002/api/v1';
const clock = new Date('2026-06-01T06:00:00Z');
const DAY = '2026-06-02';
const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
/** The document's example answer, its tokens shortened (any string). */
const TOKENS = { refresh: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...', access: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...' };
const WORKER = { id: 'uuid', organization: 'uuid', name: 'Dr. Ivanova', specialty: 'therapist', time_zone: null, created_at: 'time', updated_at: 'time' };
const PLACE = { id: 'uuid', organization: 'uuid', name: 'Room 1', address: 'Lenina 1', description: '', created_at: 'time', updated_at: 'time' };
const SLOT = { start: '2026-06-02T09:00:00+03:00', end: '2026-06-02T09:30:00+03:00', place_id: null };
const HOURS = { specialist_id: 'uuid', time_zone: 'Europe/Moscow', weekly: [{ weekday: 1, start: '09:00', end: '18:00', place_id: null }], exceptions: [] };

const BOUNDARY = 'seed002-form-boundary';
const urlencoded = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
const multipart = (fields: Record<string, string>) => ({
  body: Object.entries(fields).map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + `--${BOUNDARY}--\r\n`,
  headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
});

t.test('seed 002 conformance', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  let phones = 0;

  /** A clinic with the document's people: Admin (its owner, and a member with our admin role), Manager, and a Client. */
  async function given(name: string) {
    const c = await clinic(runtime, name);
    const admin = await staffMember(runtime, `admin@${name.toLowerCase()}.example`);
    await addMember(runtime, c.org, c.owner, admin, 'admin');
    const person = await client(runtime, `+7951002${String(++phones).padStart(4, '0')}`);
    return { ...c, admin, client: person };
  }
  const replay = async (t: Test, examples: readonly Example[]) => {
    for (const example of examples) await conform(t, app, example);
  };

  t.test('POST workers/login/ with username and password as form data: the tokens (the document’s example)', async (t) => {
    const staff = await staffMember(runtime, 'login@seed-002.example');
    const fields = { username: staff.email, password: STAFF_PASSWORD };
    const url = `${P}/workers/login/`;
    const byForm = await conform(t, app, { name: 'form login, urlencoded', method: 'POST', url, ...urlencoded(fields), status: 200, shape: TOKENS });
    await conform(t, app, { name: 'form login, multipart', method: 'POST', url, ...multipart(fields), status: 200, shape: TOKENS });
    await conform(t, app, { name: 'the same login as JSON', method: 'POST', url, body: fields, status: 200, shape: TOKENS });
    await conform(t, app, {
      name: 'wrong password: simplejwt’s 401', method: 'POST', url, ...urlencoded({ ...fields, password: 'not-the-password' }),
      status: 401, values: { detail: 'No active account found with the given credentials' },
    });
    // Our tokens: the access opens /api/v1, the refresh is /api/v1's.
    const me = await call(app, 'GET', '/api/v1/users/me', { token: byForm.body.access });
    t.match(me, { status: 200, body: { id: staff.id } }, 'the access token works on /api/v1');
    const refreshed = await call(app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: byForm.body.refresh } });
    t.equal(refreshed.status, 200, 'the refresh token works on /api/v1/auth/token/refresh');
  });

  t.test('workers/: the list for everyone, changes for the admin', async (t) => {
    const c = await given('Workers');
    const url = `${P}/workers/`;
    const body = { name: 'Dr. Ivanova', specialty: 'therapist' };
    await replay(t, [
      { name: 'POST workers/ anonymous', method: 'POST', url, body, status: 401, values: NOT_AUTHENTICATED },
      { name: 'POST workers/ as a client', method: 'POST', url, body, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'POST workers/ as a manager', method: 'POST', url, body: { ...body, organization: c.org }, token: c.manager.token, status: 403, values: FORBIDDEN },
    ]);
    const created = await conform(t, app, { name: 'POST workers/ as the admin', method: 'POST', url, body, token: c.admin.token, status: 201, shape: WORKER, values: { ...body, organization: c.org } });
    const owned = await conform(t, app, { name: 'POST workers/ as the owner', method: 'POST', url, body: { name: 'Dr. Petrov', organization: c.org }, token: c.owner.token, status: 201, shape: WORKER });
    const one = `${P}/workers/${created.body.id}/`;
    await replay(t, [
      { name: 'GET workers/ anonymous', method: 'GET', url: `${url}?organization=${c.org}`, status: 200, shape: [WORKER], values: [{ name: 'Dr. Ivanova' }, { name: 'Dr. Petrov' }] },
      { name: 'GET workers/ as a client', method: 'GET', url: `${url}?organization=${c.org}`, token: c.client.token, status: 200, shape: [WORKER] },
      { name: 'GET workers/ of every clinic', method: 'GET', url, status: 200, shape: [WORKER] },
      { name: 'GET workers/{id}/ anonymous', method: 'GET', url: one, status: 200, shape: WORKER, values: body },
      { name: 'PUT workers/{id}/ anonymous', method: 'PUT', url: one, body: { name: 'Dr. Ivanova-Smirnova' }, status: 401, values: NOT_AUTHENTICATED },
      { name: 'PUT workers/{id}/ as a client', method: 'PUT', url: one, body: { name: 'Dr. Ivanova-Smirnova' }, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'PUT workers/{id}/ as a manager', method: 'PUT', url: one, body: { name: 'Dr. Ivanova-Smirnova' }, token: c.manager.token, status: 403, values: FORBIDDEN },
      { name: 'PUT workers/{id}/ as the admin', method: 'PUT', url: one, body: { name: 'Dr. Ivanova-Smirnova', phone: '+79510029999' }, token: c.admin.token, status: 200, shape: WORKER, values: { name: 'Dr. Ivanova-Smirnova', specialty: 'therapist', phone: '+79510029999' } },
      { name: 'PUT workers/{id}/ with what GET answered', method: 'PUT', url: one, body: { ...created.body, specialty: 'surgeon' }, token: c.admin.token, status: 200, values: { name: 'Dr. Ivanova', specialty: 'surgeon' } },
      { name: 'GET workers/{id}/ anonymous shows no phone', method: 'GET', url: one, status: 200, values: { phone: undefined, user_id: undefined } },
      { name: 'DELETE workers/{id}/ anonymous', method: 'DELETE', url: one, status: 401, values: NOT_AUTHENTICATED },
      { name: 'DELETE workers/{id}/ as a client', method: 'DELETE', url: one, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'DELETE workers/{id}/ as a manager', method: 'DELETE', url: one, token: c.manager.token, status: 403, values: FORBIDDEN },
      { name: 'DELETE workers/{id}/ as the admin', method: 'DELETE', url: one, token: c.admin.token, status: 204 },
      { name: 'GET workers/{id}/ once deleted', method: 'GET', url: one, status: 404, values: { detail: 'Not found.' } },
      { name: 'GET workers/ once deleted', method: 'GET', url: `${url}?organization=${c.org}`, status: 200, values: [{ id: owned.body.id }] },
    ]);
  });

  t.test('places/: the same CRUD for the admin', async (t) => {
    const c = await given('Places');
    const url = `${P}/places/`;
    const body = { name: 'Room 1', address: 'Lenina 1' };
    await replay(t, [
      { name: 'POST places/ anonymous', method: 'POST', url, body, status: 401, values: NOT_AUTHENTICATED },
      { name: 'POST places/ as a client', method: 'POST', url, body, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'POST places/ as a manager', method: 'POST', url, body: { ...body, organization: c.org }, token: c.manager.token, status: 403, values: FORBIDDEN },
    ]);
    const created = await conform(t, app, { name: 'POST places/ as the admin', method: 'POST', url, body, token: c.admin.token, status: 201, shape: PLACE, values: { ...body, organization: c.org } });
    const one = `${P}/places/${created.body.id}/`;
    await replay(t, [
      { name: 'GET places/ anonymous', method: 'GET', url, status: 401, values: NOT_AUTHENTICATED },
      { name: 'GET places/ as a client', method: 'GET', url, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'GET places/ as a manager (staff read them)', method: 'GET', url, token: c.manager.token, status: 200, shape: [PLACE] },
      { name: 'GET places/ as the admin', method: 'GET', url: `${url}?organization=${c.org}`, token: c.admin.token, status: 200, shape: [PLACE], values: [body] },
      { name: 'GET places/{id}/ as the admin', method: 'GET', url: one, token: c.admin.token, status: 200, shape: PLACE, values: body },
      { name: 'GET places/{id}/ anonymous', method: 'GET', url: one, status: 401, values: NOT_AUTHENTICATED },
      { name: 'PUT places/{id}/ anonymous', method: 'PUT', url: one, body: { name: 'Room 2' }, status: 401, values: NOT_AUTHENTICATED },
      { name: 'PUT places/{id}/ as a client', method: 'PUT', url: one, body: { name: 'Room 2' }, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'PUT places/{id}/ as a manager', method: 'PUT', url: one, body: { name: 'Room 2' }, token: c.manager.token, status: 403, values: FORBIDDEN },
      { name: 'PUT places/{id}/ as the admin', method: 'PUT', url: one, body: { ...created.body, name: 'Room 2' }, token: c.admin.token, status: 200, shape: PLACE, values: { name: 'Room 2', address: 'Lenina 1' } },
      { name: 'DELETE places/{id}/ anonymous', method: 'DELETE', url: one, status: 401, values: NOT_AUTHENTICATED },
      { name: 'DELETE places/{id}/ as a client', method: 'DELETE', url: one, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'DELETE places/{id}/ as a manager', method: 'DELETE', url: one, token: c.manager.token, status: 403, values: FORBIDDEN },
      { name: 'DELETE places/{id}/ as the admin', method: 'DELETE', url: one, token: c.admin.token, status: 204 },
      { name: 'GET places/ once deleted', method: 'GET', url, token: c.admin.token, status: 200, values: [] },
    ]);
  });

  t.test('a worker’s working hours and schedule: public to read, the admin sets them', async (t) => {
    const c = await given('Hours');
    const worker = await call(app, 'POST', `${P}/workers/`, { token: c.owner.token, body: { name: 'Dr. Sidorov' } });
    const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), slot_step_minutes: 30, min_notice_minutes: 0 };
    const url = `${P}/workers/${worker.body.id}/working-hours/`;
    const schedule = `${P}/workers/${worker.body.id}/schedule/?date=${DAY}`;
    await replay(t, [
      { name: 'GET schedule/ before any hours', method: 'GET', url: schedule, status: 200, values: [] },
      { name: 'PUT working-hours/ anonymous', method: 'PUT', url, body: hours, status: 401, values: NOT_AUTHENTICATED },
      { name: 'PUT working-hours/ as a client', method: 'PUT', url, body: hours, token: c.client.token, status: 403, values: FORBIDDEN },
      { name: 'PUT working-hours/ as a manager', method: 'PUT', url, body: hours, token: c.manager.token, status: 403, values: FORBIDDEN },
      { name: 'PUT working-hours/ as the admin', method: 'PUT', url, body: hours, token: c.admin.token, status: 200, shape: HOURS, values: { time_zone: 'Europe/Moscow' } },
      { name: 'GET working-hours/ anonymous', method: 'GET', url, status: 200, shape: HOURS, values: { specialist_id: worker.body.id } },
      { name: 'GET working-hours/ as a client', method: 'GET', url, token: c.client.token, status: 200, shape: HOURS },
      { name: 'GET schedule/ anonymous', method: 'GET', url: schedule, status: 200, shape: [SLOT], values: [{ start: '2026-06-02T09:00:00+03:00', end: '2026-06-02T09:30:00+03:00' }] },
      { name: 'GET schedule/ as a client, hour-long visits', method: 'GET', url: `${schedule}&duration=60`, token: c.client.token, status: 200, shape: [SLOT], values: [{ end: '2026-06-02T10:00:00+03:00' }] },
      { name: 'GET schedule/ without a date', method: 'GET', url: `${P}/workers/${worker.body.id}/schedule/`, status: 400, values: { date: ['This field is required.'] } },
    ]);
  });
});
