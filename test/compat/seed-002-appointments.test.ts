import t from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { conform, send, type Example } from '../helpers/compat.js';
import { eventCount, person } from '../helpers/clients.js';
import { clinic, everyDay, place, recordOf, rub, specialist } from '../helpers/scheduling.js';
import { addMember, STAFF_PASSWORD, staffMember } from '../helpers/staff.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';

// Seed 002's appointments (/compat/002/api/v1/appointments/), "CRUD for
// admin and managers": booked, listed, read, rescheduled (PUT) and cancelled
// (DELETE) through /api/v1's booking workflow: one slot, one winner. The
// specialist is the seed's `worker`; `client` is the clinic's record.

const BASE = '/compat/002/api/v1';
const clock = new Date('2026-06-01T06:00:00Z');
const ten = '2026-06-10T10:00:00+03:00';
const eleven = '2026-06-10T11:00:00+03:00';
const UNAUTHENTICATED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const CONFLICT = { detail: 'The appointment conflicts with the schedule.' };

/** An appointment as the routes answer it; place, cost, cancel_reason and cancelled_by may be null. */
const APPOINTMENT = {
  id: '', organization: '', client: '', worker: '', start: '', end: '', duration: 60, time_zone: '', status: '', service: '', created_at: '', updated_at: '',
};

let clinics = 0;

/** A clinic with a room, a worker with hours there (09:00-18:00 Moscow, every day) and a client record. */
async function world(runtime: TestRuntime) {
  const c = await clinic(runtime, `Clinic ${++clinics}`);
  const room = await place(runtime, c, `Room ${clinics}`);
  const worker = await specialist(runtime, c, `Dr Ivanova ${clinics}`, { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });
  const client = await recordOf(runtime, c, uniquePhone(), 'Anna');
  return { c, room, worker, client };
}

t.test('seed 002: appointments', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const bookBy = (token: string, body: Record<string, unknown>) => send(app, { method: 'POST', url: `${BASE}/appointments/`, token, body: { duration: 60, ...body } });

  t.test('admin and managers book, list, read, reschedule and cancel; anonymous 401, a client 403', async (t) => {
    const { c, room, worker, client } = await world(runtime);
    const someone = await person(runtime, uniquePhone());
    const admin = await staffMember(runtime, uniqueEmail('admin'));
    await addMember(runtime, c.org, c.owner, admin, 'admin');
    const booked = await conform(t, app, {
      name: 'POST by the manager', method: 'POST', url: `${BASE}/appointments/`, token: c.manager.token,
      body: { client, worker, start: ten, duration: 60, service: 'Massage', cost: rub(300000) },
      status: 201, shape: APPOINTMENT,
      values: { organization: c.org, client, worker, place: room, start: ten, end: eleven, duration: 60, time_zone: 'Europe/Moscow', status: 'pending', service: 'Massage', cost: rub(300000) },
    });
    const one = `${BASE}/appointments/${booked.body.id}/`;
    const routes: [Example['method'], string, unknown?][] = [['GET', `${BASE}/appointments/`], ['POST', `${BASE}/appointments/`, { client, worker, start: eleven, duration: 30 }],
      ['GET', one], ['PUT', one, { duration: 30 }], ['DELETE', one]];
    for (const [method, url, body] of routes) {
      await conform(t, app, { name: `${method} ${url} anonymous`, method, url, body, status: 401, values: UNAUTHENTICATED });
      await conform(t, app, { name: `${method} ${url} by a client`, method, url, body, token: someone.token, status: 403, values: FORBIDDEN });
    }
    const list = await conform(t, app, { name: 'GET the list by the owner', method: 'GET', url: `${BASE}/appointments/`, token: c.owner.token, status: 200, shape: [APPOINTMENT] });
    t.same(list.body.map((a: { id: string }) => a.id), [booked.body.id], 'a plain array of the clinic’s appointments');
    t.same((await send(app, { method: 'GET', url: `${BASE}/appointments/?worker=${worker}&date=2026-06-11`, token: c.owner.token })).body, [], 'filtered by worker and date');
    await conform(t, app, { name: 'GET one by the manager', method: 'GET', url: one, token: c.manager.token, status: 200, shape: APPOINTMENT, values: { id: booked.body.id, status: 'pending' } });
    await conform(t, app, {
      name: 'PUT by the admin: reschedule and reprice', method: 'PUT', url: one, token: admin.token, body: { start: '2026-06-11T14:00:00+03:00', duration: 90, cost: rub(450000) },
      status: 200, shape: APPOINTMENT, values: { start: '2026-06-11T14:00:00+03:00', end: '2026-06-11T15:30:00+03:00', duration: 90, cost: rub(450000), place: room },
    });
    t.match((await call(app, 'GET', `/api/v1/appointments/${booked.body.id}`, { token: c.owner.token })).body, { specialist_id: worker, client_id: client, duration: 90 }, '/api/v1 reads the same appointment');
    t.equal((await bookBy(c.owner.token, { client, worker, start: ten })).status, 201, 'the old time is free again');
    await conform(t, app, { name: 'DELETE by the owner', method: 'DELETE', url: one, token: c.owner.token, status: 204 });
    await conform(t, app, { name: 'GET the cancelled one', method: 'GET', url: one, token: c.manager.token, status: 200, values: { status: 'cancelled', cancel_reason: '', cancelled_by: { kind: 'user', id: c.owner.id } } });
    await conform(t, app, { name: 'DELETE again', method: 'DELETE', url: one, token: c.manager.token, status: 409, values: { detail: /cancelled/ } });
    t.equal((await bookBy(c.manager.token, { client, worker, start: '2026-06-11T14:00:00+03:00' })).status, 201, 'the cancelled time is free again');
  });

  t.test('a slot is booked once: the second booking is 409 in DRF format; of 10 at once, exactly one wins', async (t) => {
    const { c, worker } = await world(runtime);
    const clients = await Promise.all(Array.from({ length: 11 }, () => recordOf(runtime, c, uniquePhone())));
    t.equal((await bookBy(c.manager.token, { client: clients[0], worker, start: ten })).status, 201);
    await conform(t, app, { name: 'the same slot again', method: 'POST', url: `${BASE}/appointments/`, token: c.owner.token,
      body: { client: clients[1], worker, start: '2026-06-10T10:30:00+03:00', duration: 30 }, status: 409, values: CONFLICT });
    const replies = await Promise.all(clients.slice(1).map((client) => bookBy(c.manager.token, { client, worker, start: eleven })));
    t.same(replies.map((r) => r.status).sort(), [201, ...Array(9).fill(409)], 'one 201, nine 409');
    const refused = replies.find((r) => r.status === 409)!;
    t.same(refused.body, CONFLICT, 'DRF’s {detail}');
    const day = await send(app, { method: 'GET', url: `${BASE}/appointments/?date=2026-06-10`, token: c.owner.token });
    t.same(day.body.map((a: { start: string }) => a.start), [ten, eleven], 'two appointments in the book');
    const moved = await send(app, { method: 'PUT', url: `${BASE}/appointments/${day.body[1].id}/`, token: c.owner.token, body: { start: '2026-06-10T10:30:00+03:00' } });
    t.match(moved, { status: 409, body: CONFLICT }, 'nor can a reschedule take a booked time');
  });

  t.test('staff of another clinic neither see nor change its appointments (404) nor book its clients, and nothing is appended', async (t) => {
    const [a, b] = [await world(runtime), await world(runtime)];
    const booked = await bookBy(a.c.manager.token, { client: a.client, worker: a.worker, start: ten });
    const one = `${BASE}/appointments/${booked.body.id}/`;
    const before = await eventCount(runtime);
    for (const intruder of [b.c.owner, b.c.manager]) {
      for (const [method, body] of [['GET'], ['PUT', { start: eleven }], ['DELETE']] as const) {
        await conform(t, app, { name: `${method} of clinic A's appointment by ${intruder.email}`, method, url: one, body, token: intruder.token, status: 404, values: { detail: 'Not found.' } });
      }
      await conform(t, app, { name: `GET clinic A's book by ${intruder.email}`, method: 'GET', url: `${BASE}/appointments/?organization=${a.c.org}`, token: intruder.token, status: 404 });
      await conform(t, app, { name: `booking in clinic A by ${intruder.email}`, method: 'POST', url: `${BASE}/appointments/`, token: intruder.token,
        body: { organization: a.c.org, client: a.client, worker: a.worker, start: eleven, duration: 60 }, status: 404 });
      await conform(t, app, { name: `booking clinic A's client with clinic A's worker in clinic B by ${intruder.email}`, method: 'POST', url: `${BASE}/appointments/`,
        token: intruder.token, body: { client: a.client, worker: a.worker, start: eleven, duration: 60 }, status: 400, values: { client: [/No client of this organization/] } });
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.same((await send(app, { method: 'GET', url: `${BASE}/appointments/`, token: b.c.owner.token })).body, [], 'clinic B’s book is empty');
  });

  t.test('bad input is a 400 naming the seed’s fields, DRF style, and appends nothing', async (t) => {
    const { c, worker, client } = await world(runtime);
    const other = await world(runtime);
    const booked = await bookBy(c.manager.token, { client, worker, start: ten, service: 'Massage' });
    const one = `${BASE}/appointments/${booked.body.id}/`;
    const before = await eventCount(runtime);
    const post = (name: string, body: unknown, values: unknown): Example => ({ name, method: 'POST', url: `${BASE}/appointments/`, token: c.owner.token, body, status: 400, values });
    const cases: Example[] = [
      post('no fields', {}, { client: ['This field is required.'], worker: ['This field is required.'], start: ['This field is required.'], duration: ['This field is required.'] }),
      post('a start without an offset', { client, worker, start: '2026-06-10T12:00:00', duration: 60 }, { start: [/date-time/] }),
      post('a duration too short', { client, worker, start: eleven, duration: 1 }, { duration: ['Ensure this value is greater than or equal to 5.'] }),
      post('a cost in roubles', { client, worker, start: eleven, duration: 60, cost: { amount: '1500.00', currency: 'RUB' } }, { 'cost.amount': [/minor units/] }),
      post('a worker of another clinic', { client, worker: other.worker, start: eleven, duration: 60 }, { worker: ['No specialist of this organization with this id.'] }),
      post('a place of another clinic', { client, worker, place: other.room, start: eleven, duration: 60 }, { place: ['No place of this organization with this id.'] }),
      post('a start in the past', { client, worker, start: '2026-05-01T10:00:00+03:00', duration: 60 }, { start: ['The start is in the past.'] }),
      post('an unknown field', { client, worker, start: eleven, duration: 60, status: 'completed' }, { status: [/Unknown field/] }),
      { name: 'PUT another client', method: 'PUT', url: one, token: c.owner.token, body: { client: other.client }, status: 400, values: { client: [/cannot be changed/] } },
      { name: 'PUT another service', method: 'PUT', url: one, token: c.owner.token, body: { service: 'Surgery' }, status: 400, values: { service: [/cannot be changed/] } },
      { name: 'PUT a worker of another clinic', method: 'PUT', url: one, token: c.owner.token, body: { worker: other.worker }, status: 400, values: { worker: [/No specialist/] } },
      { name: 'GET a malformed id', method: 'GET', url: `${BASE}/appointments/7/`, token: c.owner.token, status: 400, values: { id: ['Must be a valid UUID.'] } },
    ];
    for (const example of cases) await conform(t, app, example);
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('a PUT of the whole appointment as read changes nothing (nor its status); a PUT with a new start and place moves it there', async (t) => {
    const { c, room } = await world(runtime);
    const hall = await place(runtime, c, `Hall ${clinics}`);
    const anywhere = await specialist(runtime, c, `Nurse ${clinics}`, { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), min_notice_minutes: 0 });
    const client = await recordOf(runtime, c, uniquePhone());
    const booked = await bookBy(c.manager.token, { client, worker: anywhere, place: hall, start: ten, service: 'Massage' });
    t.equal(booked.status, 201, JSON.stringify(booked.body));
    const one = `${BASE}/appointments/${booked.body.id}/`;
    const whole = (await send(app, { method: 'GET', url: one, token: c.manager.token })).body;
    const before = await eventCount(runtime);
    t.match(await send(app, { method: 'PUT', url: one, token: c.manager.token, body: whole }), { status: 200, body: { place: hall, start: ten, cost: null } }, 'what GET answered');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.match(await send(app, { method: 'PUT', url: one, token: c.manager.token, body: { ...whole, status: 'completed' } }), { status: 400, body: { status: [/DELETE cancels/] } });
    t.equal(await eventCount(runtime), before, 'a status is not set by PUT');
    t.match(await send(app, { method: 'PUT', url: one, token: c.manager.token, body: { ...whole, place: room, start: eleven } }), { status: 200, body: { place: room, start: eleven } });
    t.match(await send(app, { method: 'PUT', url: one, token: c.manager.token, body: { start: ten } }), { status: 200, body: { place: room, start: ten } }, 'a move alone keeps its place');
  });

  t.test('tokens are one: a staff token from /api/v1’s login books here, and the booking is /api/v1’s', async (t) => {
    const { c, worker, client } = await world(runtime);
    const login = await call(app, 'POST', '/api/v1/auth/token', { body: { email: c.manager.email, password: STAFF_PASSWORD } });
    t.equal(login.status, 200, 'signed in on /api/v1');
    const booked = await bookBy(login.body.access, { client, worker, start: ten, cost: rub(100000) });
    t.match(booked, { status: 201, body: { client, worker, cost: rub(100000) } });
    const v1 = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments`, { token: login.body.access });
    t.same(v1.body.map((a: { id: string }) => a.id), [booked.body.id], '/api/v1 lists it');
    t.equal((await send(app, { method: 'GET', url: `${BASE}/appointments/${booked.body.id}/`, token: `${login.body.access}`, headers: { authorization: `Token ${login.body.access}` } })).status, 200, 'the Token form too');
  });
});
