import t from 'tap';
import { fold } from '../../../src/commands/decider.js';
import { DomainError } from '../../../src/commands/errors.js';
import { scheduleDecider, type ScheduleCommand } from '../../../src/commands/scheduling/schedule.js';
import type { WorkingInterval } from '../../../src/commands/scheduling/working-hours.js';
import type { Claim, ScheduleEvent, SlotReleaseReason } from '../../../src/events/scheduling/schedule.js';
import { specification } from '../spec.js';

// Every command of an organization-day (`schedule-{org}-{date}`), given/when/then.

const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const doctor = '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const nurse = '8c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const room = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const hall = '2b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const alice = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const bob = '6a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const t0 = '2026-06-01T08:00:00.000Z';
const t1 = '2026-06-01T08:01:00.000Z';
const day = '2026-06-10';
const at = (hhmm: string) => `${day}T${hhmm}:00.000Z`;

// The doctor works 09:00-18:00 UTC in the room, 18:00-20:00 anywhere.
const working: WorkingInterval[] = [
  { start: Date.parse(at('09:00')), end: Date.parse(at('18:00')), placeId: room },
  { start: Date.parse(at('18:00')), end: Date.parse(at('20:00')), placeId: null },
];

/** A booking claim for the doctor, in the room, for alice, 10:00-11:00: `n` names its ids. */
const claim = (n: number, overrides: Partial<Claim> = {}): Claim => ({
  claimId: `claim-${n}`,
  appointmentId: `appointment-${n}`,
  organizationId,
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
});

const claimed = (c: Claim, when = t0): ScheduleEvent => ({ type: 'SlotClaimed', data: { schemaVersion: 2, ...c, claimedAt: when } });
const released = (c: Claim, reason: SlotReleaseReason = 'cancelled', when = t0): ScheduleEvent => ({
  type: 'SlotReleased',
  data: { claimId: c.claimId, appointmentId: c.appointmentId, organizationId, reason, releasedAt: when },
});

const claimSlot = (c: Claim): ScheduleCommand => ({ type: 'ClaimSlot', data: { claim: c, working, now: t1 } });
const releaseSlot = (c: Claim, reason: SlotReleaseReason = 'cancelled'): ScheduleCommand => ({ type: 'ReleaseSlot', data: { claimId: c.claimId, reason, now: t1 } });

/** The fields a booking conflict names: what conflicts, not only that something does. */
function conflictFields(history: readonly ScheduleEvent[], command: ScheduleCommand): string[] | string {
  try {
    scheduleDecider.decide(command, fold(scheduleDecider, history));
    return 'decided events';
  } catch (error) {
    return error instanceof DomainError ? Object.keys(error.fields ?? {}).sort() : String(error);
  }
}

t.test('ClaimSlot', async (t) => {
  t.test('a free time inside working hours is claimed, with its terms', async (t) => {
    specification(t)(scheduleDecider, []).when(claimSlot(claim(1))).then([claimed(claim(1), t1)]);
  });
  t.test('a reschedule claim carries no terms', async (t) => {
    const { terms: _none, ...reschedule } = claim(1, { basis: 2 });
    specification(t)(scheduleDecider, []).when(claimSlot(reschedule)).then([claimed(reschedule, t1)]);
  });
  t.test('only the claim and terms fields the event names are recorded', async (t) => {
    const padded = { ...claim(1), note: 'x', terms: { ...claim(1).terms!, discount: 5 } } as Claim;
    specification(t)(scheduleDecider, []).when(claimSlot(padded)).then([claimed(claim(1), t1)]);
  });
  t.test('claiming a held claim again is a retry: nothing new', async (t) => {
    specification(t)(scheduleDecider, [claimed(claim(1))]).when(claimSlot(claim(1))).then([]);
  });
  t.test('a released claim is never held again: conflict', async (t) => {
    specification(t)(scheduleDecider, [claimed(claim(1)), released(claim(1), 'superseded')]).when(claimSlot(claim(1))).thenThrows('conflict');
  });
  t.test('a time outside working hours is refused on start: conflict', async (t) => {
    const early = claim(1, { start: at('08:30'), end: at('09:30') });
    specification(t)(scheduleDecider, []).when(claimSlot(early)).thenThrows('conflict');
    t.strictSame(conflictFields([], claimSlot(early)), ['start']);
  });
  t.test('a time inside hours at another place than the interval names is refused on start: conflict', async (t) => {
    const elsewhere = claim(1, { placeId: hall });
    specification(t)(scheduleDecider, []).when(claimSlot(elsewhere)).thenThrows('conflict');
    t.strictSame(conflictFields([], claimSlot(elsewhere)), ['start']);
  });
  t.test('an interval that names no place takes any place', async (t) => {
    const evening = claim(1, { placeId: hall, start: at('18:30'), end: at('19:30') });
    specification(t)(scheduleDecider, []).when(claimSlot(evening)).then([claimed(evening, t1)]);
  });
  t.test('a time spanning two intervals is not inside one: conflict', async (t) => {
    const across = claim(1, { placeId: null, start: at('17:30'), end: at('18:30') });
    specification(t)(scheduleDecider, []).when(claimSlot(across)).thenThrows('conflict');
    t.strictSame(conflictFields([], claimSlot(across)), ['start']);
  });
  t.test('the same specialist, place and client at an overlapping time: conflict naming all three', async (t) => {
    const rival = claim(2, { start: at('10:30'), end: at('11:30') });
    specification(t)(scheduleDecider, [claimed(claim(1))]).when(claimSlot(rival)).thenThrows('conflict');
    t.strictSame(conflictFields([claimed(claim(1))], claimSlot(rival)), ['client_id', 'place_id', 'specialist_id']);
  });
  t.test('each shared resource is named alone', async (t) => {
    const history = [claimed(claim(1, { specialistId: nurse, placeId: hall, clientId: bob }))];
    t.strictSame(conflictFields(history, claimSlot(claim(2, { specialistId: nurse, placeId: room, clientId: alice }))), ['specialist_id'], 'the specialist');
    t.strictSame(conflictFields([claimed(claim(1, { specialistId: nurse, clientId: bob }))], claimSlot(claim(2))), ['place_id'], 'the place');
    t.strictSame(conflictFields([claimed(claim(1, { specialistId: nurse, placeId: null }))], claimSlot(claim(2))), ['client_id'], 'the client');
  });
  t.test('back-to-back appointments do not overlap', async (t) => {
    const next = claim(2, { start: at('11:00'), end: at('12:00') });
    specification(t)(scheduleDecider, [claimed(claim(1))]).when(claimSlot(next)).then([claimed(next, t1)]);
  });
  t.test("the specialist's buffers keep them free around an appointment, but not the room or the client", async (t) => {
    const buffered = [claimed(claim(1, { bufferAfterMinutes: 15 }))];
    const next = claim(2, { start: at('11:00'), end: at('12:00') });
    specification(t)(scheduleDecider, buffered).when(claimSlot(next)).thenThrows('conflict');
    t.strictSame(conflictFields(buffered, claimSlot(next)), ['specialist_id']);
    const nurseNext = claim(2, { specialistId: nurse, start: at('11:00'), end: at('12:00') });
    specification(t)(scheduleDecider, buffered).when(claimSlot(nurseNext)).then([claimed(nurseNext, t1)]);
  });
  t.test('released time is free again', async (t) => {
    specification(t)(scheduleDecider, [claimed(claim(1)), released(claim(1))]).when(claimSlot(claim(2))).then([claimed(claim(2), t1)]);
  });
  t.test('two claims of one appointment never conflict (a reschedule holds both for a moment)', async (t) => {
    const moved = claim(2, { appointmentId: 'appointment-1', basis: 0, start: at('10:30'), end: at('11:30'), terms: undefined });
    const { terms: _none, ...expected } = moved;
    specification(t)(scheduleDecider, [claimed(claim(1))]).when(claimSlot(expected)).then([claimed(expected, t1)]);
  });
});

t.test('ReleaseSlot', async (t) => {
  t.test('a held claim is released with the reason the command brings', async (t) => {
    specification(t)(scheduleDecider, [claimed(claim(1))]).when(releaseSlot(claim(1), 'rescheduled')).then([released(claim(1), 'rescheduled', t1)]);
  });
  t.test('releasing a released claim again is a retry: nothing new', async (t) => {
    specification(t)(scheduleDecider, [claimed(claim(1)), released(claim(1))]).when(releaseSlot(claim(1))).then([]);
  });
  t.test('releasing a claim never held (a rejected booking) is nothing new', async (t) => {
    specification(t)(scheduleDecider, [claimed(claim(1))]).when(releaseSlot(claim(2), 'rejected')).then([]);
  });
});
