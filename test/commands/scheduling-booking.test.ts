import t from 'tap';
import { appointmentDecider, type AppointmentCommand } from '../../src/commands/scheduling/appointment.js';
import { scheduleDecider, type ScheduleCommand } from '../../src/commands/scheduling/schedule.js';
import type { AppointmentEvent } from '../../src/events/scheduling/appointment.js';
import type { Claim, ScheduleEvent } from '../../src/events/scheduling/schedule.js';
import type { WorkingInterval } from '../../src/commands/scheduling/working-hours.js';
import { specification } from './spec.js';

const org = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const doctor = '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const nurse = '8c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const room = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const hall = '2b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const alice = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const bob = '6a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const now = '2026-06-01T08:00:00.000Z';
const day = '2026-06-10';
const at = (hhmm: string) => `${day}T${hhmm}:00.000Z`;

// The specialist works 09:00-18:00 UTC, anywhere.
const working: WorkingInterval[] = [{ start: Date.parse(at('09:00')), end: Date.parse(at('18:00')), placeId: null }];
// ... or in the room until 18:00, anywhere after.
const roomThenAnywhere: WorkingInterval[] = [
  { start: Date.parse(at('09:00')), end: Date.parse(at('18:00')), placeId: room },
  { start: Date.parse(at('18:00')), end: Date.parse(at('20:00')), placeId: null },
];

let n = 0;
function claim(overrides: Partial<Claim> = {}): Claim {
  n++;
  return {
    claimId: `claim-${n}`,
    appointmentId: `appointment-${n}`,
    organizationId: org,
    basis: -1,
    day,
    days: [day],
    specialistId: doctor,
    placeId: room,
    clientId: alice,
    start: at('10:00'),
    end: at('11:00'),
    timeZone: 'UTC',
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    terms: { service: 'Massage', cost: { amount: 300000, currency: 'RUB' }, bookedBy: { kind: 'user', id: doctor } },
    ...overrides,
  };
}

const claimSlot = (c: Claim): ScheduleCommand => ({ type: 'ClaimSlot', data: { claim: c, working, now } });
const claimed = (c: Claim): ScheduleEvent => ({ type: 'SlotClaimed', data: { schemaVersion: 2, ...c, claimedAt: now } });
const released = (c: Claim, reason: 'cancelled' | 'rejected' = 'cancelled'): ScheduleEvent => ({ type: 'SlotReleased', data: { claimId: c.claimId, appointmentId: c.appointmentId, organizationId: org, reason, releasedAt: now } });

t.test('a free time inside working hours is claimed; claiming again is a no-op', async (t) => {
  const given = specification(t);
  const first = claim();
  given(scheduleDecider, []).when(claimSlot(first)).then([claimed(first)]);
  given(scheduleDecider, [claimed(first)]).when(claimSlot(first)).then([]);
});

t.test('a specialist never holds two overlapping appointments, identical or not', async (t) => {
  const given = specification(t);
  const held = claim();
  given(scheduleDecider, [claimed(held)]).when(claimSlot(claim({ clientId: bob, placeId: hall, start: at('10:30'), end: at('11:30') }))).thenThrows('conflict');
  given(scheduleDecider, [claimed(held)]).when(claimSlot(claim({ clientId: bob, placeId: null, start: at('09:30'), end: at('10:01') }))).thenThrows('conflict');
  given(scheduleDecider, [claimed(held)]).when(claimSlot(claim({ clientId: bob, placeId: null, start: at('10:15'), end: at('10:45') }))).thenThrows('conflict');
  const adjacent = claim({ clientId: bob, start: at('11:00'), end: at('12:00') });
  given(scheduleDecider, [claimed(held)]).when(claimSlot(adjacent)).then([claimed(adjacent)]);
});

t.test('the conflict names what conflicts: specialist, place, client', async (t) => {
  const held = claim();
  const state = [claimed(held)].reduce(scheduleDecider.evolve, scheduleDecider.initialState());
  const fieldsOf = (c: Claim) => {
    try {
      scheduleDecider.decide(claimSlot(c), state);
      return undefined;
    } catch (error) {
      return Object.keys((error as { fields?: Record<string, string[]> }).fields ?? {}).sort();
    }
  };
  t.same(fieldsOf(claim({ clientId: bob, placeId: hall, start: at('10:30'), end: at('11:30') })), ['specialist_id']);
  t.same(fieldsOf(claim({ specialistId: nurse, clientId: bob, start: at('10:30'), end: at('11:30') })), ['place_id'], 'another specialist, same room');
  t.same(fieldsOf(claim({ specialistId: nurse, placeId: hall, start: at('10:30'), end: at('11:30') })), ['client_id'], 'the same client elsewhere');
  t.same(fieldsOf(claim({ start: at('10:30'), end: at('11:30') })), ['client_id', 'place_id', 'specialist_id'], 'all three at once');
  t.same(fieldsOf(claim({ start: at('08:00'), end: at('09:30') })), ['start'], 'outside working hours');
});

t.test('every appointment sits inside one working interval, at its place when the interval names one', async (t) => {
  const given = specification(t);
  const inRoom = (c: Claim): ScheduleCommand => ({ type: 'ClaimSlot', data: { claim: c, working: roomThenAnywhere, now } });
  given(scheduleDecider, []).when(inRoom(claim({ start: at('08:30'), end: at('09:30') }))).thenThrows('conflict');
  given(scheduleDecider, []).when(claimSlot(claim({ start: at('17:30'), end: at('18:30') }))).thenThrows('conflict');
  given(scheduleDecider, []).when(inRoom(claim({ placeId: hall }))).thenThrows('conflict');
  const roomy = claim();
  given(scheduleDecider, []).when(inRoom(roomy)).then([claimed(roomy)]);
  const evening = claim({ placeId: hall, start: at('18:00'), end: at('19:00') });
  given(scheduleDecider, []).when(inRoom(evening)).then([claimed(evening)]);
  given(scheduleDecider, []).when({ type: 'ClaimSlot', data: { claim: claim(), working: [], now } }).thenThrows('conflict');
});

t.test('buffers keep the specialist free around their appointments (not the room, not the client)', async (t) => {
  const given = specification(t);
  const held = claim({ bufferAfterMinutes: 15 });
  given(scheduleDecider, [claimed(held)]).when(claimSlot(claim({ clientId: bob, placeId: null, start: at('11:10'), end: at('11:40'), bufferAfterMinutes: 15 }))).thenThrows('conflict');
  const later = claim({ clientId: bob, start: at('11:15'), end: at('11:45'), bufferAfterMinutes: 15 });
  given(scheduleDecider, [claimed(held)]).when(claimSlot(later)).then([claimed(later)]);
  const otherSpecialist = claim({ specialistId: nurse, clientId: bob, start: at('11:00'), end: at('11:30') });
  given(scheduleDecider, [claimed(held)]).when(claimSlot(otherSpecialist)).then([claimed(otherSpecialist)]);
});

t.test('released time is free again; a released claim is never held again; two claims of one appointment never conflict', async (t) => {
  const given = specification(t);
  const held = claim();
  const again = claim({ clientId: bob });
  given(scheduleDecider, [claimed(held), released(held)]).when(claimSlot(again)).then([claimed(again)]);
  given(scheduleDecider, [claimed(held), released(held)]).when(claimSlot(held)).thenThrows('conflict');
  const moved = { ...claim({ start: at('10:30'), end: at('11:30') }), appointmentId: held.appointmentId };
  given(scheduleDecider, [claimed(held)]).when(claimSlot(moved)).then([claimed(moved)]);
  given(scheduleDecider, [claimed(held)]).when({ type: 'ReleaseSlot', data: { claimId: held.claimId, reason: 'cancelled', now } }).then([released(held)]);
  given(scheduleDecider, [claimed(held), released(held)]).when({ type: 'ReleaseSlot', data: { claimId: held.claimId, reason: 'cancelled', now } }).then([]);
  given(scheduleDecider, []).when({ type: 'ReleaseSlot', data: { claimId: 'unknown', reason: 'rejected', now } }).then([]);
});

// --- the appointment stream ---

const bookingClaim = claim({ claimId: 'claim-booking', appointmentId: 'appt' });
const slot = (c: Claim) => ({ claimId: c.claimId, day: c.day, days: c.days, specialistId: c.specialistId, placeId: c.placeId, clientId: c.clientId, start: c.start, end: c.end, timeZone: c.timeZone });
const ids = { appointmentId: 'appt', organizationId: org };
/** Events that name the client record carry version 2. */
const v2 = { schemaVersion: 2 as const, ...ids };
const booked: AppointmentEvent = { type: 'AppointmentBooked', data: { ...v2, slot: slot(bookingClaim), service: 'Massage', cost: { amount: 300000, currency: 'RUB' }, bookedBy: { kind: 'user', id: doctor }, bookedAt: now } };
const confirmed: AppointmentEvent = { type: 'AppointmentConfirmed', data: { ...ids, confirmedBy: { kind: 'user', id: doctor }, confirmedAt: now } };
const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { ...v2, slot: slot(bookingClaim), reason: 'ill', cancelledBy: { kind: 'client', id: alice }, cancelledAt: now } };
const completed: AppointmentEvent = { type: 'AppointmentCompleted', data: { ...v2, slot: slot(bookingClaim), completedAt: now } };
const adopt = (c: Claim): AppointmentCommand => ({ type: 'AdoptClaim', data: { claim: c, now } });

t.test('a booking claim is adopted once, on the version it was made against', async (t) => {
  const given = specification(t);
  given(appointmentDecider, []).when(adopt(bookingClaim)).then([booked]);
  given(appointmentDecider, [booked]).when(adopt(bookingClaim)).then([]);
  const { terms: _terms, ...withoutTerms } = bookingClaim;
  t.throws(() => appointmentDecider.decide(adopt({ ...withoutTerms, claimId: 'x' }), appointmentDecider.initialState()), 'a new booking needs its terms');
});

t.test('a reschedule claim is adopted on its basis only; a rival on the same basis is superseded', async (t) => {
  const given = specification(t);
  const tomorrow = { ...claim({ appointmentId: 'appt', day: '2026-06-11', days: ['2026-06-11'], start: '2026-06-11T10:00:00.000Z', end: '2026-06-11T11:00:00.000Z' }), basis: 0, terms: undefined };
  const rival = { ...tomorrow, claimId: 'rival', start: '2026-06-11T12:00:00.000Z', end: '2026-06-11T13:00:00.000Z' };
  const rescheduled: AppointmentEvent = { type: 'AppointmentRescheduled', data: { ...v2, from: slot(bookingClaim), to: slot(tomorrow), rescheduledAt: now } };
  given(appointmentDecider, [booked]).when(adopt(tomorrow)).then([rescheduled]);
  given(appointmentDecider, [booked, rescheduled]).when(adopt(rival)).thenThrows('conflict');
  given(appointmentDecider, [booked, rescheduled]).when(adopt(tomorrow)).then([]);
  given(appointmentDecider, [booked, cancelled]).when(adopt({ ...tomorrow, basis: 1 })).thenThrows('conflict');
  given(appointmentDecider, [booked, completed]).when(adopt({ ...tomorrow, basis: 1 })).thenThrows('conflict');
});

t.test('a rejected claim is recorded once and never adopted; an adopted one cannot be rejected', async (t) => {
  const given = specification(t);
  const conflicts = { client_id: ['The client has another appointment at this time.'] };
  const rejected: AppointmentEvent = { type: 'AppointmentClaimRejected', data: { ...ids, claimId: bookingClaim.claimId, conflicts, rejectedAt: now } };
  given(appointmentDecider, []).when({ type: 'RejectClaim', data: { claim: bookingClaim, conflicts, now } }).then([rejected]);
  given(appointmentDecider, [rejected]).when({ type: 'RejectClaim', data: { claim: bookingClaim, conflicts, now } }).then([]);
  given(appointmentDecider, [rejected]).when(adopt(bookingClaim)).thenThrows('conflict');
  given(appointmentDecider, [booked]).when({ type: 'RejectClaim', data: { claim: bookingClaim, conflicts, now } }).thenThrows('conflict');
  const stale = { ...claim({ appointmentId: 'appt' }), basis: 0, terms: undefined };
  given(appointmentDecider, [booked, confirmed]).when({ type: 'RejectClaim', data: { claim: stale, conflicts, now } }).then([]);
});

t.test('status lifecycle: pending -> confirmed -> completed; cancel while active; anything else is 409', async (t) => {
  const given = specification(t);
  const by = { kind: 'user', id: doctor };
  const confirm: AppointmentCommand = { type: 'ConfirmAppointment', data: { by, now } };
  const complete: AppointmentCommand = { type: 'CompleteAppointment', data: { now } };
  const cancel: AppointmentCommand = { type: 'CancelAppointment', data: { reason: 'ill', by: { kind: 'client', id: alice }, now } };
  given(appointmentDecider, [booked]).when(confirm).then([confirmed]);
  given(appointmentDecider, [booked, confirmed]).when(complete).then([completed]);
  given(appointmentDecider, [booked]).when(cancel).then([cancelled]);
  given(appointmentDecider, [booked, confirmed]).when(cancel).then([cancelled]);
  given(appointmentDecider, [booked]).when(complete).thenThrows('conflict');
  given(appointmentDecider, [booked, confirmed]).when(confirm).thenThrows('conflict');
  given(appointmentDecider, [booked, cancelled]).when(confirm).thenThrows('conflict');
  given(appointmentDecider, [booked, cancelled]).when(cancel).thenThrows('conflict');
  given(appointmentDecider, [booked, confirmed, completed]).when(cancel).thenThrows('conflict');
  given(appointmentDecider, []).when(confirm).thenThrows('not_found');
});

t.test('no-show: a confirmed appointment, only after its start', async (t) => {
  const given = specification(t);
  const noShow = (when: string): AppointmentCommand => ({ type: 'MarkNoShow', data: { now: when } });
  given(appointmentDecider, [booked, confirmed]).when(noShow(at('10:01'))).then([{ type: 'AppointmentMarkedNoShow', data: { ...v2, slot: slot(bookingClaim), markedAt: at('10:01') } }]);
  given(appointmentDecider, [booked, confirmed]).when(noShow(at('09:59'))).thenThrows('conflict');
  given(appointmentDecider, [booked]).when(noShow(at('10:01'))).thenThrows('conflict');
  given(appointmentDecider, [booked, cancelled]).when(noShow(at('10:01'))).thenThrows('conflict');
});

t.test('cost changes are recorded when they differ, never on a cancelled appointment', async (t) => {
  const given = specification(t);
  const change = (amount: number): AppointmentCommand => ({ type: 'ChangeCost', data: { cost: { amount, currency: 'RUB' }, now } });
  given(appointmentDecider, [booked]).when(change(250000)).then([{ type: 'AppointmentCostChanged', data: { ...ids, cost: { amount: 250000, currency: 'RUB' }, changedAt: now } }]);
  given(appointmentDecider, [booked]).when(change(300000)).then([]);
  given(appointmentDecider, [booked, cancelled]).when(change(1)).thenThrows('conflict');
});

t.test('a booking may have no price yet; staff set one later', async (t) => {
  const given = specification(t);
  const unpriced = claim({ claimId: 'claim-unpriced', appointmentId: 'appt', terms: { service: '', cost: null, bookedBy: { kind: 'client', id: alice } } });
  const bookedUnpriced: AppointmentEvent = { type: 'AppointmentBooked', data: { ...v2, slot: slot(unpriced), service: '', cost: null, bookedBy: { kind: 'client', id: alice }, bookedAt: now } };
  given(appointmentDecider, []).when(adopt(unpriced)).then([bookedUnpriced]);
  const price: AppointmentCommand = { type: 'ChangeCost', data: { cost: { amount: 150000, currency: 'RUB' }, now } };
  given(appointmentDecider, [bookedUnpriced]).when(price).then([{ type: 'AppointmentCostChanged', data: { ...ids, cost: { amount: 150000, currency: 'RUB' }, changedAt: now } }]);
});
