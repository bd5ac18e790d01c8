import t from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { recordIdFor } from '../../src/events/clients/client-record.js';
import { book, bookSelf, client, clinic, everyDay, place, rub, specialist, type Clinic } from '../helpers/scheduling.js';
import { addMember, staffMember } from '../helpers/staff.js';
import { uniquePhone } from '../helpers/api-spec.js';

// Booking through HTTP: one slot, one winner; overlaps of every kind refused
// with the field that conflicts; who may book whom. Staff book the clinic's
// record of a client; a client books themself. One runtime (the clock never
// moves); each behaviour builds its own clinic and clients.

const clock = new Date('2026-06-01T06:00:00Z');
const hours = (room: string) => ({ time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });
const ten = '2026-06-10T10:00:00+03:00';

/** A phone nobody in this file has used (behaviours share a runtime). */
const phone = uniquePhone;
let clinics = 0;

/**
 * A room, a hall, a doctor with hours in the room and a nurse, all of their
 * own, in the clinic `shared` (a clinic is costly to make; a behaviour that
 * reads the whole clinic's book or day makes its own).
 */
async function world(runtime: TestRuntime, shared?: Clinic) {
  const n = ++clinics;
  const c = shared ?? (await clinic(runtime, `Clinic ${n}`));
  const room = await place(runtime, c, `Room ${n}`);
  const hall = await place(runtime, c, `Hall ${n}`);
  const doctor = await specialist(runtime, c, `Dr Ivanova ${n}`, hours(room));
  const nurse = await specialist(runtime, c, `Nurse Petrova ${n}`, { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), min_notice_minutes: 0 });
  return { runtime, app: runtime.app, n, c, room, hall, doctor, nurse };
}

async function appointmentsOf(runtime: TestRuntime, c: Clinic) {
  return (await call(runtime.app, 'GET', `/api/v1/organizations/${c.org}/appointments`, { token: c.manager.token })).body as { id: string; status: string; start: string }[];
}

t.test('booking', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const shared = await clinic(runtime, 'Booking');
  const byManager = (c: Clinic, body: Record<string, unknown>) => book(runtime, c.org, c.manager.token, body);

  t.test('50 concurrent bookings of one slot: exactly one 201, the rest 409 naming the specialist', async (t) => {
    const { c, doctor } = await world(runtime);
    const clients = await Promise.all(Array.from({ length: 50 }, () => client(runtime, phone(), c)));
    const replies = await Promise.all(clients.map((cl) => byManager(c, { specialist_id: doctor, client_id: cl.record, start: ten })));
    const statuses = replies.map((r) => r.status);
    t.equal(statuses.filter((s) => s === 201).length, 1, 'one booking wins');
    t.equal(statuses.filter((s) => s === 409).length, 49, 'every other one is a conflict');
    const refused = replies.find((r) => r.status === 409)!;
    t.equal(refused.body.detail, 'The appointment conflicts with the schedule.');
    t.ok(refused.body.errors.specialist_id, 'naming the specialist');
    const winner = replies.find((r) => r.status === 201)!;
    t.match(winner.body, { specialist_id: doctor, status: 'pending', start: ten, end: '2026-06-10T11:00:00+03:00', duration: 60, time_zone: 'Europe/Moscow', cost: rub(300000), service: 'Massage' });
    t.same((await appointmentsOf(runtime, c)).map((a) => a.id), [winner.body.id], 'one appointment in the book');
    const claims = await runtime.connection.db.selectFrom('events').select('type').where('stream_id', '=', `schedule-${c.org}-2026-06-10`).orderBy('global_position').execute();
    t.same(claims.map((e) => e.type), ['SlotClaimed'], 'one claim in the day');
  });

  t.test('intervals overlapping, not identical to, a booked one are 409 naming the specialist', async (t) => {
    const { c, doctor } = await world(runtime, shared);
    const [alice, bob] = [await client(runtime, phone(), c), await client(runtime, phone(), c)];
    t.equal((await byManager(c, { specialist_id: doctor, client_id: alice.record, start: ten, duration: 60 })).status, 201);
    for (const [start, duration] of [['2026-06-10T10:30:00+03:00', 60], ['2026-06-10T09:30:00+03:00', 31], ['2026-06-10T10:15:00+03:00', 15], ['2026-06-10T07:30:00Z', 60]] as const) {
      const overlap = await byManager(c, { specialist_id: doctor, client_id: bob.record, start, duration });
      t.equal(overlap.status, 409, `${start} for ${duration} minutes overlaps 10:00-11:00`);
      t.ok(overlap.body.errors.specialist_id);
    }
  });

  t.test('adjacent intervals are not conflicts', async (t) => {
    const { c, doctor } = await world(runtime, shared);
    const [alice, bob] = [await client(runtime, phone(), c), await client(runtime, phone(), c)];
    t.equal((await byManager(c, { specialist_id: doctor, client_id: alice.record, start: ten, duration: 60 })).status, 201);
    t.equal((await byManager(c, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T11:00:00+03:00' })).status, 201, 'right after is fine');
    t.equal((await byManager(c, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T09:00:00+03:00' })).status, 201, 'right before too');
  });

  /** Alice is booked with the doctor at ten, in the room the doctor's hours name. */
  async function aliceAtTen() {
    const w = await world(runtime, shared);
    const [alice, bob] = [await client(runtime, phone(), w.c), await client(runtime, phone(), w.c)];
    const booked = await byManager(w.c, { specialist_id: w.doctor, client_id: alice.record, start: ten });
    if (booked.status !== 201) throw new Error(`booking alice: ${booked.status} ${JSON.stringify(booked.body)}`);
    return { ...w, alice, bob, booked };
  }

  t.test('the place defaults to the one the hours name', async (t) => {
    const { booked, room } = await aliceAtTen();
    t.equal(booked.body.place_id, room, 'the place defaults to the one the hours name');
  });

  t.test('another specialist in the same room is 409 naming the place', async (t) => {
    const { c, nurse, bob, room } = await aliceAtTen();
    const place = await byManager(c, { specialist_id: nurse, client_id: bob.record, place_id: room, start: '2026-06-10T10:30:00+03:00' });
    t.equal(place.status, 409);
    t.same(Object.keys(place.body.errors), ['place_id'], 'another specialist in the same room');
  });

  t.test('the same client elsewhere at the same time is 409 naming the client', async (t) => {
    const { c, nurse, alice, hall } = await aliceAtTen();
    const theClient = await byManager(c, { specialist_id: nurse, client_id: alice.record, place_id: hall, start: '2026-06-10T10:30:00+03:00' });
    t.equal(theClient.status, 409);
    t.same(Object.keys(theClient.body.errors), ['client_id'], 'the same client elsewhere');
  });

  t.test('outside working hours is 409 naming the start', async (t) => {
    const { c, doctor, bob } = await aliceAtTen();
    const early = await byManager(c, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T08:30:00+03:00' });
    t.equal(early.status, 409);
    t.same(Object.keys(early.body.errors), ['start'], 'outside working hours');
  });

  t.test('hours that name a room do not hold in another place', async (t) => {
    const { c, doctor, bob, hall } = await aliceAtTen();
    const elsewhere = await byManager(c, { specialist_id: doctor, client_id: bob.record, place_id: hall, start: '2026-06-10T14:00:00+03:00' });
    t.same(Object.keys(elsewhere.body.errors), ['start'], 'the hours are in the room, not the hall');
  });

  t.test('another room and another client at an overlapping time is fine', async (t) => {
    const { c, nurse, bob, hall } = await aliceAtTen();
    t.equal((await byManager(c, { specialist_id: nurse, client_id: bob.record, place_id: hall, start: '2026-06-10T10:30:00+03:00' })).status, 201, 'another room, another client: fine');
  });
});

t.test('who books whom', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const shared = await clinic(runtime, 'Who books');
  const { app } = runtime;

  // Alice has an account and no record here; Bob's record is linked to his account.
  // Making a person is costly (two password hashes and an SMS): each behaviour makes only whom it needs.
  async function withAlice() {
    const w = await world(runtime, shared);
    return { ...w, alice: await client(runtime, phone()) };
  }
  async function withBob() {
    const w = await world(runtime, shared);
    return { ...w, bob: await client(runtime, phone(), w.c) };
  }
  async function people() {
    const w = await withAlice();
    return { ...w, bob: await client(runtime, phone(), w.c) };
  }

  /** Alice booked herself at ten. */
  async function selfBooked(needsBob = false) {
    const w = needsBob ? await people() : { ...(await withAlice()), bob: undefined };
    const own = await bookSelf(runtime, w.c.org, w.alice.token, { specialist_id: w.doctor, client_id: w.alice.id, start: ten });
    if (own.status !== 201) throw new Error(`alice booking herself: ${own.status} ${JSON.stringify(own.body)}`);
    return { ...w, own };
  }

  t.test('a specialist member does not book (403)', async (t) => {
    const { c, doctor, bob, n } = await withBob();
    const specialistUser = await staffMember(runtime, `doc@clinic-${n}.example`);
    await addMember(runtime, c.org, c.owner, specialistUser, 'specialist');
    t.equal((await book(runtime, c.org, specialistUser.token, { specialist_id: doctor, client_id: bob.record, start: ten })).status, 403, 'a specialist does not book');
  });

  t.test('staff of another organization get 404', async (t) => {
    const { c, doctor, bob, n } = await withBob();
    const stranger = await staffMember(runtime, `stranger@elsewhere-${n}.example`);
    t.equal((await book(runtime, c.org, stranger.token, { specialist_id: doctor, client_id: bob.record, start: ten })).status, 404, 'another organization’s staff');
  });

  t.test('booking without a token is 401', async (t) => {
    const { c, doctor } = await world(runtime, shared);
    t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/appointments`, { body: { specialist_id: doctor, start: ten, duration: 60 } })).status, 401);
  });

  t.test('staff book records of their organization, not accounts (400)', async (t) => {
    const { c, doctor, alice } = await withAlice();
    const notOurs = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.id, start: ten });
    t.equal(notOurs.status, 400, 'staff book records of their organization, not accounts');
    t.same(notOurs.body.errors, { client_id: ['No client of this organization with this id.'] });
  });

  t.test('a client books nobody else (403)', async (t) => {
    const { c, doctor, alice, bob } = await people();
    t.equal((await bookSelf(runtime, c.org, alice.token, { specialist_id: doctor, client_id: bob.id, start: ten })).status, 403, 'a client books nobody else');
  });

  t.test('a client books themself, on the record their booking opened, with no service and no price', async (t) => {
    const { c, doctor, alice } = await withAlice();
    const own = await bookSelf(runtime, c.org, alice.token, { specialist_id: doctor, client_id: alice.id, start: ten });
    t.equal(own.status, 201, 'a client books themself');
    t.equal(own.body.client_id, recordIdFor(c.org, alice.id), 'on the record their booking opened there');
    t.match(own.body, { service: '', cost: null }, 'with no service and no price: those are the organization’s');
  });

  t.test('a client sees their own appointment; other clients and other organizations’ staff get 404', async (t) => {
    const { own, alice, bob, n } = await selfBooked(true);
    const stranger = await staffMember(runtime, `stranger@elsewhere-${n}.example`);
    t.equal((await call(app, 'GET', `/api/v1/appointments/${own.body.id}`, { token: alice.token })).status, 200, 'and sees it');
    t.equal((await call(app, 'GET', `/api/v1/appointments/${own.body.id}`, { token: bob!.token })).status, 404, 'nobody else does');
    t.equal((await call(app, 'GET', `/api/v1/appointments/${own.body.id}`, { token: stranger.token })).status, 404);
  });

  t.test('staff find a self-booking by its record', async (t) => {
    const { c, own } = await selfBooked();
    const byRecord = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments?client_id=${own.body.client_id}`, { token: c.manager.token });
    t.same(byRecord.body.map((a: { id: string }) => a.id), [own.body.id], 'staff find it by the record');
  });

  t.test('a second self-booking finds the same record', async (t) => {
    const { c, doctor, alice, own } = await selfBooked();
    const again = await bookSelf(runtime, c.org, alice.token, { specialist_id: doctor, start: '2026-06-10T12:00:00+03:00' });
    t.equal(again.body.client_id, own.body.client_id, 'a second booking finds the same record');
  });

  t.test('a client with a linked record books themself on it', async (t) => {
    const { c, doctor, bob } = await withBob();
    const bobs = await bookSelf(runtime, c.org, bob.token, { specialist_id: doctor, start: '2026-06-10T14:00:00+03:00' });
    t.equal(bobs.body.client_id, bob.record, 'a client with a linked record books on it');
  });

  t.test('invalid fields are 400, every one at once', async (t) => {
    const { c, doctor, bob } = await withBob();
    const invalid = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T10:00:00', duration: 2, cost: { amount: -1, currency: 'rub' } });
    t.equal(invalid.status, 400);
    t.same(Object.keys(invalid.body.errors).sort(), ['cost.amount', 'cost.currency', 'duration', 'start'], 'every invalid field at once (a start needs its offset)');
  });

  t.test('a start in the past is refused', async (t) => {
    const { c, doctor, bob } = await withBob();
    const past = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-05-31T10:00:00+03:00' });
    t.same(past.body.errors, { start: ['The start is in the past.'] });
  });

  t.test('a specialist of no such organization is refused', async (t) => {
    const { c, bob } = await withBob();
    const unknown = await book(runtime, c.org, c.manager.token, { specialist_id: c.owner.id, client_id: bob.record, start: ten });
    t.same(unknown.body.errors, { specialist_id: ['No specialist of this organization with this id.'] });
  });

  t.test('staff may leave the price and the service unset', async (t) => {
    const { c, doctor, bob } = await withBob();
    const unpriced = await call(app, 'POST', `/api/v1/organizations/${c.org}/appointments`, { token: c.manager.token, body: { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T16:00:00+03:00', duration: 30 } });
    t.match(unpriced.body, { status: 'pending', service: '', cost: null }, 'staff may leave the price and the service unset');
  });
});
