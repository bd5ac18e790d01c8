import t, { type Test } from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { recordIdFor } from '../../src/events/clients/client-record.js';
import { book, bookSelf, client, clinic, everyDay, place, rub, specialist, type Clinic } from '../helpers/scheduling.js';
import { addMember, staffMember } from '../helpers/staff.js';

// Booking through HTTP: one slot, one winner; overlaps of every kind refused
// with the field that conflicts; who may book whom. Staff book the clinic's
// record of a client; a client books themself.

const clock = new Date('2026-06-01T06:00:00Z');
const hours = (room: string) => ({ time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });
const ten = '2026-06-10T10:00:00+03:00';

async function setup(t: Test) {
  const runtime = await startRuntime(t, { now: () => clock });
  const c = await clinic(runtime);
  const room = await place(runtime, c, 'Room 1');
  const hall = await place(runtime, c, 'Hall');
  const doctor = await specialist(runtime, c, 'Dr Ivanova', hours(room));
  const nurse = await specialist(runtime, c, 'Nurse Petrova', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), min_notice_minutes: 0 });
  return { runtime, c, room, hall, doctor, nurse };
}

async function appointmentsOf(runtime: TestRuntime, c: Clinic) {
  return (await call(runtime.app, 'GET', `/api/v1/organizations/${c.org}/appointments`, { token: c.manager.token })).body as { id: string; status: string; start: string }[];
}

t.test('50 concurrent bookings of one slot: exactly one 201', async (t) => {
  const { runtime, c, doctor } = await setup(t);
  const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => client(runtime, `+795175862${String(i).padStart(2, '0')}`, c)));
  const replies = await Promise.all(clients.map((cl) => book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: cl.record, start: ten })));
  const statuses = replies.map((r) => r.status);
  t.equal(statuses.filter((s) => s === 201).length, 1, 'one booking wins');
  t.equal(statuses.filter((s) => s === 409).length, 49, 'every other one is a conflict');
  const refused = replies.find((r) => r.status === 409)!;
  t.equal(refused.body.detail, 'The appointment conflicts with the schedule.');
  t.ok(refused.body.errors.specialist_id, 'naming the specialist');
  const winner = replies.find((r) => r.status === 201)!;
  t.match(winner.body, { specialist_id: doctor, status: 'pending', start: ten, end: '2026-06-10T11:00:00+03:00', duration: 60, time_zone: 'Europe/Moscow', cost: rub(300000), service: 'Massage' });
  t.same((await appointmentsOf(runtime, c)).map((a) => a.id), [winner.body.id], 'one appointment in the book');
  const claims = await runtime.connection.db.selectFrom('events').select('type').where('stream_id', '=', `schedule-${c.org}-2026-06-10`).execute();
  t.same(claims.map((e) => e.type), ['SlotClaimed'], 'one claim in the day');
});

t.test('overlapping, not identical, intervals are refused; adjacent ones are not', async (t) => {
  const { runtime, c, doctor } = await setup(t);
  const alice = await client(runtime, '+79517586201', c);
  const bob = await client(runtime, '+79517586202', c);
  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: ten, duration: 60 })).status, 201);
  for (const [start, duration] of [['2026-06-10T10:30:00+03:00', 60], ['2026-06-10T09:30:00+03:00', 31], ['2026-06-10T10:15:00+03:00', 15], ['2026-06-10T07:30:00Z', 60]] as const) {
    const overlap = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start, duration });
    t.equal(overlap.status, 409, `${start} for ${duration} minutes overlaps 10:00-11:00`);
    t.ok(overlap.body.errors.specialist_id);
  }
  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T11:00:00+03:00' })).status, 201, 'right after is fine');
  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T09:00:00+03:00' })).status, 201, 'right before too');
});

t.test('place and client conflicts, and working hours, each named', async (t) => {
  const { runtime, c, room, hall, doctor, nurse } = await setup(t);
  const alice = await client(runtime, '+79517586201', c);
  const bob = await client(runtime, '+79517586202', c);
  const booked = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: ten });
  t.equal(booked.body.place_id, room, 'the place defaults to the one the hours name');

  const place = await book(runtime, c.org, c.manager.token, { specialist_id: nurse, client_id: bob.record, place_id: room, start: '2026-06-10T10:30:00+03:00' });
  t.equal(place.status, 409);
  t.same(Object.keys(place.body.errors), ['place_id'], 'another specialist in the same room');

  const theClient = await book(runtime, c.org, c.manager.token, { specialist_id: nurse, client_id: alice.record, place_id: hall, start: '2026-06-10T10:30:00+03:00' });
  t.equal(theClient.status, 409);
  t.same(Object.keys(theClient.body.errors), ['client_id'], 'the same client elsewhere');

  const early = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T08:30:00+03:00' });
  t.equal(early.status, 409);
  t.same(Object.keys(early.body.errors), ['start'], 'outside working hours');
  const elsewhere = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, place_id: hall, start: '2026-06-10T14:00:00+03:00' });
  t.same(Object.keys(elsewhere.body.errors), ['start'], 'the hours are in the room, not the hall');

  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: nurse, client_id: bob.record, place_id: hall, start: '2026-06-10T10:30:00+03:00' })).status, 201, 'another room, another client: fine');
});

t.test('who books: staff by role, a record of their organization; a client only themself, on their record there', async (t) => {
  const { runtime, c, doctor } = await setup(t);
  const { app } = runtime;
  const alice = await client(runtime, '+79517586201');
  const bob = await client(runtime, '+79517586202', c);
  const specialistUser = await staffMember(runtime, 'doc@clinic.example');
  await addMember(runtime, c.org, c.owner, specialistUser, 'specialist');
  const stranger = await staffMember(runtime, 'stranger@elsewhere.example');

  t.equal((await book(runtime, c.org, specialistUser.token, { specialist_id: doctor, client_id: bob.record, start: ten })).status, 403, 'a specialist does not book');
  t.equal((await book(runtime, c.org, stranger.token, { specialist_id: doctor, client_id: bob.record, start: ten })).status, 404, 'another organization’s staff');
  t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/appointments`, { body: { specialist_id: doctor, start: ten, duration: 60 } })).status, 401);
  const notOurs = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.id, start: ten });
  t.equal(notOurs.status, 400, 'staff book records of their organization, not accounts');
  t.same(notOurs.body.errors, { client_id: ['No client of this organization with this id.'] });
  t.equal((await bookSelf(runtime, c.org, alice.token, { specialist_id: doctor, client_id: bob.id, start: ten })).status, 403, 'a client books nobody else');

  const own = await bookSelf(runtime, c.org, alice.token, { specialist_id: doctor, client_id: alice.id, start: ten });
  t.equal(own.status, 201, 'a client books themself');
  t.equal(own.body.client_id, recordIdFor(c.org, alice.id), 'on the record their booking opened there');
  t.match(own.body, { service: '', cost: null }, 'with no service and no price: those are the organization’s');
  t.equal((await call(app, 'GET', `/api/v1/appointments/${own.body.id}`, { token: alice.token })).status, 200, 'and sees it');
  t.equal((await call(app, 'GET', `/api/v1/appointments/${own.body.id}`, { token: bob.token })).status, 404, 'nobody else does');
  t.equal((await call(app, 'GET', `/api/v1/appointments/${own.body.id}`, { token: stranger.token })).status, 404);
  const byRecord = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments?client_id=${own.body.client_id}`, { token: c.manager.token });
  t.same(byRecord.body.map((a: { id: string }) => a.id), [own.body.id], 'staff find it by the record');
  const again = await bookSelf(runtime, c.org, alice.token, { specialist_id: doctor, start: '2026-06-10T12:00:00+03:00' });
  t.equal(again.body.client_id, own.body.client_id, 'a second booking finds the same record');
  const bobs = await bookSelf(runtime, c.org, bob.token, { specialist_id: doctor, start: '2026-06-10T14:00:00+03:00' });
  t.equal(bobs.body.client_id, bob.record, 'a client with a linked record books on it');

  const invalid = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T10:00:00', duration: 2, cost: { amount: -1, currency: 'rub' } });
  t.equal(invalid.status, 400);
  t.same(Object.keys(invalid.body.errors).sort(), ['cost.amount', 'cost.currency', 'duration', 'start'], 'every invalid field at once (a start needs its offset)');
  const past = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-05-31T10:00:00+03:00' });
  t.same(past.body.errors, { start: ['The start is in the past.'] });
  const unknown = await book(runtime, c.org, c.manager.token, { specialist_id: c.owner.id, client_id: bob.record, start: ten });
  t.same(unknown.body.errors, { specialist_id: ['No specialist of this organization with this id.'] });
  const unpriced = await call(app, 'POST', `/api/v1/organizations/${c.org}/appointments`, { token: c.manager.token, body: { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T16:00:00+03:00', duration: 30 } });
  t.match(unpriced.body, { status: 'pending', service: '', cost: null }, 'staff may leave the price and the service unset');
});
