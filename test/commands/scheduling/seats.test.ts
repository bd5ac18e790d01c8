import t from 'tap';
import { fold } from '../../../src/commands/decider.js';
import { DomainError } from '../../../src/commands/errors.js';
import { conflictsWithAny, indexHeld, sharesSeat, type HeldTime } from '../../../src/commands/scheduling/conflicts.js';
import { heldTime, scheduleDecider, type ScheduleCommand } from '../../../src/commands/scheduling/schedule.js';
import type { WorkingInterval } from '../../../src/commands/scheduling/working-hours.js';
import type { Claim, ScheduleEvent } from '../../../src/events/scheduling/schedule.js';
import { specification } from '../spec.js';

// Seats of a group session and the specialist's daily limit, decided on the
// organization-day (`schedule-{org}-{date}`), given/when/then; and the
// overlap rule's seats alone (conflicts.ts), as both searches answer it.

const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const doctor = '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const nurse = '8c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const room = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const yoga = 'a1b2c3d4-0000-4000-8000-000000000001';
const pilates = 'a1b2c3d4-0000-4000-8000-000000000002';
const t0 = '2026-06-01T08:00:00.000Z';
const t1 = '2026-06-01T08:01:00.000Z';
const day = '2026-06-10';
const at = (hhmm: string, date = day) => `${date}T${hhmm}:00.000Z`;
const working: WorkingInterval[] = [{ start: Date.parse(at('09:00')), end: Date.parse(at('18:00')), placeId: room }];
const session = (capacity = 3, serviceId = yoga) => ({ serviceId, capacity });

/** Appointment `n` of client `client-{n}`: the doctor, in the room, 10:00-11:00. */
const claim = (n: number, overrides: Partial<Claim> = {}): Claim => ({
  claimId: `claim-${n}`,
  appointmentId: `appointment-${n}`,
  organizationId,
  basis: -1,
  day,
  days: [day],
  specialistId: doctor,
  placeId: room,
  clientId: `client-${n}`,
  start: at('10:00'),
  end: at('11:00'),
  timeZone: 'UTC',
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  terms: { service: 'Yoga', cost: null, bookedBy: { kind: 'user', id: doctor } },
  ...overrides,
});
const seat = (n: number, overrides: Partial<Claim> = {}) => claim(n, { seat: session(), ...overrides });

const claimed = (c: Claim, when = t0): ScheduleEvent => ({ type: 'SlotClaimed', data: { schemaVersion: 2, ...c, claimedAt: when } });
const released = (c: Claim): ScheduleEvent => ({ type: 'SlotReleased', data: { claimId: c.claimId, appointmentId: c.appointmentId, organizationId, reason: 'cancelled', releasedAt: t0 } });
const claimSlot = (c: Claim, maxBookingsPerDay?: number): ScheduleCommand => ({
  type: 'ClaimSlot',
  data: { claim: c, working, ...(maxBookingsPerDay !== undefined && { maxBookingsPerDay }), now: t1 },
});

/** The errors a refusal names, field by field. */
function refusal(history: readonly ScheduleEvent[], command: ScheduleCommand): Record<string, string[]> | string {
  try {
    scheduleDecider.decide(command, fold(scheduleDecider, history));
    return 'decided events';
  } catch (error) {
    return error instanceof DomainError ? (error.fields ?? {}) : String(error);
  }
}

const FULL = { start: ['Every seat of this session is taken.'] };

t.test('seats of a group session', async (t) => {
  t.test('seats fill up to the capacity, and the next one is refused on start: conflict', async (t) => {
    const given = specification(t);
    given(scheduleDecider, []).when(claimSlot(seat(1))).then([claimed(seat(1), t1)]);
    given(scheduleDecider, [claimed(seat(1))]).when(claimSlot(seat(2))).then([claimed(seat(2), t1)]);
    given(scheduleDecider, [claimed(seat(1)), claimed(seat(2))]).when(claimSlot(seat(3))).then([claimed(seat(3), t1)]);
    const full = [claimed(seat(1)), claimed(seat(2)), claimed(seat(3))];
    given(scheduleDecider, full).when(claimSlot(seat(4))).thenThrows('conflict');
    t.strictSame(refusal(full, claimSlot(seat(4))), FULL);
  });
  t.test('the same client never takes two seats of one session: conflict on the client', async (t) => {
    const again = seat(2, { clientId: 'client-1' });
    specification(t)(scheduleDecider, [claimed(seat(1))]).when(claimSlot(again)).thenThrows('conflict');
    t.strictSame(refusal([claimed(seat(1))], claimSlot(again)), { client_id: ['The client has another appointment at this time.'] });
  });
  t.test('a private appointment overlapping a session is refused, and a seat overlapping a private one', async (t) => {
    const privately = claim(2, { start: at('10:30'), end: at('11:30') });
    specification(t)(scheduleDecider, [claimed(seat(1))]).when(claimSlot(privately)).thenThrows('conflict');
    t.strictSame(Object.keys(refusal([claimed(seat(1))], claimSlot(privately))).sort(), ['place_id', 'specialist_id']);
    t.strictSame(Object.keys(refusal([claimed(claim(1))], claimSlot(seat(2)))).sort(), ['place_id', 'specialist_id'], 'at the very time of the session too');
  });
  t.test('a seat of the same service at another, overlapping time is another session: conflict', async (t) => {
    const later = seat(2, { start: at('10:30'), end: at('11:30') });
    specification(t)(scheduleDecider, [claimed(seat(1))]).when(claimSlot(later)).thenThrows('conflict');
    t.strictSame(Object.keys(refusal([claimed(seat(1))], claimSlot(later))).sort(), ['place_id', 'specialist_id']);
  });
  t.test("another service's session at the same time is not this one: conflict", async (t) => {
    const other = seat(2, { seat: session(3, pilates) });
    t.strictSame(Object.keys(refusal([claimed(seat(1))], claimSlot(other))).sort(), ['place_id', 'specialist_id']);
  });
  t.test("another specialist's session of the service at that time shares nothing but the room: conflict on the place", async (t) => {
    t.strictSame(refusal([claimed(seat(1))], claimSlot(seat(2, { specialistId: nurse }))), { place_id: ['The place is taken at this time.'] });
  });
  t.test('a released seat is free again', async (t) => {
    const history = [claimed(seat(1)), claimed(seat(2)), claimed(seat(3)), released(seat(2))];
    specification(t)(scheduleDecider, history).when(claimSlot(seat(4))).then([claimed(seat(4), t1)]);
  });
  t.test('a seat moving within its session (a reschedule claim of the same appointment) takes no second seat', async (t) => {
    const full = [claimed(seat(1)), claimed(seat(2)), claimed(seat(3))];
    const move = seat(3, { claimId: 'claim-3b', basis: 1, placeId: room });
    specification(t)(scheduleDecider, full).when(claimSlot(move)).then([claimed(move, t1)]);
  });
});

t.test("the specialist's daily limit", async (t) => {
  const limit = { start: ['The specialist takes at most 2 bookings a day.'] };
  const morning = (n: number, overrides: Partial<Claim> = {}) => claim(n, { start: at(`${10 + n}:00`), end: at(`${10 + n}:30`), ...overrides });

  t.test('bookings up to the limit pass, the next is refused naming it: conflict', async (t) => {
    specification(t)(scheduleDecider, [claimed(morning(1))]).when(claimSlot(morning(2), 2)).then([claimed(morning(2), t1)]);
    const full = [claimed(morning(1)), claimed(morning(2))];
    specification(t)(scheduleDecider, full).when(claimSlot(morning(3), 2)).thenThrows('conflict');
    t.strictSame(refusal(full, claimSlot(morning(3), 2)), limit);
  });
  t.test('no limit in the policy: no limit', async (t) => {
    const full = [claimed(morning(1)), claimed(morning(2))];
    specification(t)(scheduleDecider, full).when(claimSlot(morning(3))).then([claimed(morning(3), t1)]);
  });
  t.test('a seat is one booking, each appointment counted once', async (t) => {
    const seats = [claimed(seat(1)), claimed(seat(2))];
    t.strictSame(refusal(seats, claimSlot(morning(3), 2)), limit, 'two seats of one session are two bookings');
    const moving = [claimed(morning(1)), claimed(morning(1, { claimId: 'claim-1b', start: at('15:00'), end: at('15:30') }))];
    specification(t)(scheduleDecider, moving).when(claimSlot(morning(2), 2)).then([claimed(morning(2), t1)]);
  });
  t.test("a move within the day is not a booking more; another specialist's and another day's are not theirs", async (t) => {
    const full = [claimed(morning(1)), claimed(morning(2))];
    const move = morning(2, { claimId: 'claim-2b', basis: 1, start: at('16:00'), end: at('16:30') });
    specification(t)(scheduleDecider, full).when(claimSlot(move, 2)).then([claimed(move, t1)]);
    // Yesterday's late appointment reaches into this day's stream, but is yesterday's booking.
    const yesterday = '2026-06-09';
    const spilling = morning(3, { day: yesterday, days: [yesterday, day], start: at('23:30', yesterday), end: at('00:30') });
    const others = [claimed(morning(1)), claimed(morning(4, { specialistId: nurse, placeId: null })), claimed(spilling)];
    specification(t)(scheduleDecider, others).when(claimSlot(morning(2), 2)).then([claimed(morning(2), t1)]);
  });
  t.test('a released claim frees its count', async (t) => {
    const history = [claimed(morning(1)), claimed(morning(2)), released(morning(1))];
    specification(t)(scheduleDecider, history).when(claimSlot(morning(3), 2)).then([claimed(morning(3), t1)]);
  });
});

t.test('conflictsWithAny with seats (and indexHeld answering the same)', async (t) => {
  const held = (n: number, overrides: Partial<Claim> = {}): HeldTime => heldTime(seat(n, overrides));
  const both = (candidate: HeldTime, times: HeldTime[]) => {
    const scanned = [...conflictsWithAny(candidate, times)];
    t.strictSame([...indexHeld(times).conflictsWith(candidate)], scanned, 'the index answers as the scan');
    return scanned;
  };

  t.test('sharesSeat: the same service, specialist, start and end, both seats', async (t) => {
    t.ok(sharesSeat(held(1), held(2)));
    t.ok(sharesSeat(held(1), held(2, { seat: session(5) })), 'the capacity is no part of the key');
    t.notOk(sharesSeat(held(1), heldTime(claim(2))), 'a private appointment');
    t.notOk(sharesSeat(held(1), held(2, { seat: session(3, pilates) })), 'another service');
    t.notOk(sharesSeat(held(1), held(2, { specialistId: nurse })), 'another specialist');
    t.notOk(sharesSeat(held(1), held(2, { end: at('11:30') })), 'another end');
    t.notOk(sharesSeat(held(1), held(2, { start: at('09:30') })), 'another start');
  });
  t.test('seats join while fewer than the capacity are held, each appointment once', async (t) => {
    t.strictSame(both(held(9), [held(1), held(2)]), []);
    t.strictSame(both(held(9), [held(1), held(2), held(3)]), ['seats']);
    t.strictSame(both(held(9), [held(1), held(1, { claimId: 'claim-1b' }), held(2)]), [], 'two claims of one appointment are one seat');
    t.strictSame(both(held(9, { seat: session(1) }), [held(1)]), ['seats'], 'a session of one');
  });
  t.test('the client rule holds between seats; other overlaps conflict as usual', async (t) => {
    t.strictSame(both(held(9, { clientId: 'client-1' }), [held(1)]), ['client']);
    t.strictSame(both(held(9, { clientId: 'client-1' }), [held(1), held(2), held(3)]), ['client', 'seats']);
    t.strictSame(both(held(9), [held(1), heldTime(claim(2, { start: at('10:59'), end: at('11:30') }))]), ['specialist', 'place']);
    t.strictSame(both(heldTime(claim(9)), [held(1)]), ['specialist', 'place'], 'a time with no seat takes none');
  });
  t.test('a slot search (no client, no appointment) asks for a seat like any booking', async (t) => {
    const search = { ...held(0), appointmentId: '', clientId: undefined };
    t.strictSame(both(search, [held(1), held(2)]), []);
    t.strictSame(both(search, [held(1), held(2), held(3)]), ['seats']);
  });
});
