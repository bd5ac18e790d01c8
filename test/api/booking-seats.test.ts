import t from 'tap';
import { bookAppointment } from '../../src/workflows/scheduling/booking.js';
import type { AppointmentBooked, AppointmentRescheduled } from '../../src/events/scheduling/appointment.js';
import type { Claim } from '../../src/events/scheduling/schedule.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { loggedData } from '../helpers/clients.js';
import { clinic, everyDay, place, recordOf, specialist, type Clinic } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';

// Seats of a group session through the booking workflow (the routes that book
// by a service set the seat: src/workflows/scheduling/booking.ts): the session
// fills to its capacity however many bookings race for it, and an appointment
// keeps its seat when it moves. One runtime; each behaviour its own clinic.

const clock = new Date('2026-06-01T06:00:00Z');
const ten = Date.parse('2026-06-10T10:00:00+03:00');
let clinics = 0;

t.test('group sessions', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const { deps, app } = runtime;

  async function world(records: number) {
    const n = ++clinics;
    const c = await clinic(runtime, `Seats ${n}`);
    const room = await place(runtime, c, `Hall ${n}`);
    const coach = await specialist(runtime, c, `Coach ${n}`, { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });
    const clients = await Promise.all(Array.from({ length: records }, () => recordOf(runtime, c, uniquePhone())));
    return { c, coach, clients, seat: { serviceId: deps.newId(), capacity: 3 } };
  }
  const metadataOf = (c: Clinic) => ({ actor: { kind: 'user' as const, id: c.manager.id }, correlationId: deps.newId(), causationId: deps.newId() });
  /** Booked by the workflow, then visible in the book (the routes read it). */
  async function bookSeat(c: Clinic, coach: string, recordId: string, seat: Claim['seat'], start = ten) {
    const booked = await bookAppointment(deps, {
      appointmentId: deps.newId(), organizationId: c.org, client: { kind: 'record', recordId }, specialistId: coach, placeId: undefined,
      start, durationMinutes: 60, service: 'Yoga', cost: null, bookedBy: { kind: 'user', id: c.manager.id }, ...(seat && { seat }), now: clock,
    }, metadataOf(c));
    if (!(await deps.awaitProjections(booked.position, ['appointments']))) throw new Error('the booking never reached the book');
    return booked;
  }
  /** The conflict a refused booking names, field by field. */
  const refusal = (booking: Promise<unknown>) => booking.then(() => 'booked', (error: { kind?: string; fields?: unknown }) => ({ kind: error.kind, fields: error.fields }));

  t.test('thirty concurrent bookings of one session of three seats: exactly three pass, the rest are conflicts', async (t) => {
    const { c, coach, clients, seat } = await world(30);
    const results = await Promise.allSettled(clients.map((recordId) => bookSeat(c, coach, recordId, seat)));
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 3, 'three seats taken');
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { kind?: string; fields?: Record<string, string[]> }] : []));
    t.equal(refusals.length, 27);
    t.ok(refusals.every((e) => e.kind === 'conflict' && e.fields?.start?.[0] === 'Every seat of this session is taken.'), 'each saying the session is full');
    const listed = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments`, { token: c.manager.token });
    t.equal((listed.body as unknown[]).length, 3, 'three in the book');
    const booked = (await loggedData<AppointmentBooked['data']>(runtime, 'AppointmentBooked')).filter((b) => b.organizationId === c.org);
    t.same(booked.map((b) => b.slot.seat), [seat, seat, seat], 'each appointment records its seat');
  });

  t.test('a private booking over the session is refused; so is a client taking a second seat', async (t) => {
    const { c, coach, clients, seat } = await world(2);
    await bookSeat(c, coach, clients[0]!, seat);
    t.same(await refusal(bookSeat(c, coach, clients[1]!, undefined, ten + 30 * 60_000)), { kind: 'conflict', fields: { specialist_id: ['The specialist has another appointment at this time.'], place_id: ['The place is taken at this time.'] } });
    t.same(await refusal(bookSeat(c, coach, clients[0]!, seat)), { kind: 'conflict', fields: { client_id: ['The client has another appointment at this time.'] } });
  });

  t.test('a moved appointment keeps its seat: it joins the session at the new time while a seat is left there', async (t) => {
    const { c, coach, clients, seat } = await world(4);
    const noon = ten + 2 * 3_600_000;
    for (const recordId of clients.slice(0, 2)) await bookSeat(c, coach, recordId, seat, noon);
    const [first, second] = [await bookSeat(c, coach, clients[2]!, seat), await bookSeat(c, coach, clients[3]!, seat)];
    const toNoon = (booked: typeof first) => call(app, 'PATCH', `/api/v1/appointments/${booked.state.appointment!.appointmentId}`, { token: c.manager.token, body: { start: '2026-06-10T12:00:00+03:00' } });
    t.equal((await toNoon(first)).status, 200, 'the third seat at noon');
    const rescheduled = (await loggedData<AppointmentRescheduled['data']>(runtime, 'AppointmentRescheduled')).filter((r) => r.organizationId === c.org);
    t.same(rescheduled.map((r) => [r.from.seat, r.to.seat]), [[seat, seat]], 'the seat moved with it');
    const full = await toNoon(second);
    t.equal(full.status, 409, 'no fourth');
    t.same(full.body.errors, { start: ['Every seat of this session is taken.'] });
  });
});
