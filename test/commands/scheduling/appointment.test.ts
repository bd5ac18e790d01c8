import t from 'tap';
import { appointmentDecider, slotOf, type AppointmentCommand } from '../../../src/commands/scheduling/appointment.js';
import type { AppointmentEvent } from '../../../src/events/scheduling/appointment.js';
import type { ActorRef, Claim, Cost } from '../../../src/events/scheduling/schedule.js';
import { specification } from '../spec.js';

// Every command of one appointment (`appointment-{id}`), given/when/then:
// its claims adopted or rejected on the version they were made against, and
// its status lifecycle.

const appointmentId = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const doctor = '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const room = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const record = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const t0 = '2026-06-01T08:00:00.000Z';
const t1 = '2026-06-01T08:01:00.000Z';
const day = '2026-06-10';
const at = (hhmm: string) => `${day}T${hhmm}:00.000Z`;
const staff: ActorRef = { kind: 'user', id: doctor };
const price: Cost = { amount: 300000, currency: 'RUB' };
const ids = { appointmentId, organizationId };

/** Claim `n` of the appointment, made against stream version `basis`: a booking (basis -1) carries the terms. */
const claim = (n: number, basis: number, start = '10:00', end = '11:00'): Claim => ({
  claimId: `claim-${n}`,
  ...ids,
  basis,
  day,
  days: [day],
  specialistId: doctor,
  placeId: room,
  clientId: record,
  start: at(start),
  end: at(end),
  timeZone: 'UTC',
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  ...(basis === -1 ? { terms: { service: 'Massage', cost: price, bookedBy: staff } } : {}),
});

const booked = (cost: Cost | null = price, when = t0): AppointmentEvent => ({
  type: 'AppointmentBooked',
  data: { schemaVersion: 2, ...ids, slot: slotOf(claim(1, -1)), service: 'Massage', cost, bookedBy: staff, bookedAt: when },
});
const rescheduled = (to: Claim, from: Claim = claim(1, -1), when = t0): AppointmentEvent => ({
  type: 'AppointmentRescheduled',
  data: { schemaVersion: 2, ...ids, from: slotOf(from), to: slotOf(to), rescheduledAt: when },
});
const conflicts = { specialist_id: ['The specialist has another appointment at this time.'] };
const rejected = (c: Claim, when = t0): AppointmentEvent => ({ type: 'AppointmentClaimRejected', data: { ...ids, claimId: c.claimId, conflicts, rejectedAt: when } });
const confirmed = (when = t0): AppointmentEvent => ({ type: 'AppointmentConfirmed', data: { ...ids, confirmedBy: staff, confirmedAt: when } });
const slot = slotOf(claim(1, -1));
const completed = (when = t0): AppointmentEvent => ({ type: 'AppointmentCompleted', data: { schemaVersion: 2, ...ids, slot, completedAt: when } });
const cancelled = (when = t0): AppointmentEvent => ({ type: 'AppointmentCancelled', data: { schemaVersion: 2, ...ids, slot, reason: 'ill', cancelledBy: staff, cancelledAt: when } });
const noShow = (when = t0): AppointmentEvent => ({ type: 'AppointmentMarkedNoShow', data: { schemaVersion: 2, ...ids, slot, markedAt: when } });
const costChanged = (cost: Cost, when = t0): AppointmentEvent => ({ type: 'AppointmentCostChanged', data: { ...ids, cost, changedAt: when } });

const adopt = (c: Claim): AppointmentCommand => ({ type: 'AdoptClaim', data: { claim: c, now: t1 } });
const reject = (c: Claim): AppointmentCommand => ({ type: 'RejectClaim', data: { claim: c, conflicts, now: t1 } });
const confirm: AppointmentCommand = { type: 'ConfirmAppointment', data: { by: staff, now: t1 } };
const complete: AppointmentCommand = { type: 'CompleteAppointment', data: { now: t1 } };
const cancel: AppointmentCommand = { type: 'CancelAppointment', data: { reason: 'ill', by: staff, now: t1 } };
const markNoShow = (now: string): AppointmentCommand => ({ type: 'MarkNoShow', data: { now } });
const changeCost = (cost: Cost): AppointmentCommand => ({ type: 'ChangeCost', data: { cost, now: t1 } });

/** Booked (version 0); then confirmed (version 1). */
const pending = [booked()];
const confirmedHistory = [booked(), confirmed()];

t.test('AdoptClaim', async (t) => {
  t.test('a booking claim made on the empty stream books the appointment, pending, with its terms', async (t) => {
    specification(t)(appointmentDecider, []).when(adopt(claim(1, -1))).then([booked(price, t1)]);
  });
  t.test('an occurrence of a series is booked with the series id its terms name', async (t) => {
    const seriesId = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b';
    const occurrence = claim(1, -1);
    const inSeries = { ...occurrence, terms: { ...occurrence.terms!, seriesId } };
    const bookedInSeries = booked(price, t1);
    specification(t)(appointmentDecider, []).when(adopt(inSeries)).then([{ ...bookedInSeries, data: { ...bookedInSeries.data, seriesId } } as AppointmentEvent]);
  });
  t.test('adopting an adopted claim again is a retry: nothing new', async (t) => {
    specification(t)(appointmentDecider, pending).when(adopt(claim(1, -1))).then([]);
    specification(t)(appointmentDecider, [...pending, rescheduled(claim(2, 0, '12:00', '13:00'))]).when(adopt(claim(2, 0, '12:00', '13:00'))).then([]);
  });
  t.test('a reschedule claim made on the current version moves the appointment', async (t) => {
    const moved = claim(2, 0, '12:00', '13:00');
    specification(t)(appointmentDecider, pending).when(adopt(moved)).then([rescheduled(moved, claim(1, -1), t1)]);
  });
  t.test('a confirmed appointment may be rescheduled too, on its version', async (t) => {
    const moved = claim(2, 1, '12:00', '13:00');
    specification(t)(appointmentDecider, confirmedHistory).when(adopt(moved)).then([rescheduled(moved, claim(1, -1), t1)]);
  });
  t.test('a claim made on a version that has passed is superseded: conflict', async (t) => {
    specification(t)(appointmentDecider, confirmedHistory).when(adopt(claim(2, 0, '12:00', '13:00'))).thenThrows('conflict');
  });
  t.test('of two reschedules on one version, the second is superseded: conflict', async (t) => {
    const first = claim(2, 0, '12:00', '13:00');
    specification(t)(appointmentDecider, [...pending, rescheduled(first)]).when(adopt(claim(3, 0, '14:00', '15:00'))).thenThrows('conflict');
  });
  t.test('a second booking claim for a booked appointment is superseded: conflict', async (t) => {
    specification(t)(appointmentDecider, pending).when(adopt(claim(2, -1))).thenThrows('conflict');
  });
  t.test('a rejected claim is never adopted: conflict', async (t) => {
    const lost = claim(2, 0, '12:00', '13:00');
    specification(t)(appointmentDecider, [...pending, rejected(lost)]).when(adopt(lost)).thenThrows('conflict');
    specification(t)(appointmentDecider, [rejected(claim(1, -1))]).when(adopt(claim(1, -1))).thenThrows('conflict');
  });
  t.test('an appointment no longer active cannot be rescheduled: conflict', async (t) => {
    specification(t)(appointmentDecider, [...pending, cancelled()]).when(adopt(claim(2, 1, '12:00', '13:00'))).thenThrows('conflict');
    specification(t)(appointmentDecider, [...confirmedHistory, completed()]).when(adopt(claim(2, 2, '12:00', '13:00'))).thenThrows('conflict');
  });
  t.test('a booking claim without its terms is a programming error, not a domain refusal', async (t) => {
    const { terms: _none, ...bare } = claim(1, -1);
    t.throws(() => appointmentDecider.decide(adopt(bare), appointmentDecider.initialState()), { message: /without its terms/ });
  });
});

t.test('RejectClaim', async (t) => {
  t.test('a claim that lost on a later day is recorded as rejected, with its conflicts', async (t) => {
    const lost = claim(2, 0, '12:00', '13:00');
    specification(t)(appointmentDecider, pending).when(reject(lost)).then([rejected(lost, t1)]);
  });
  t.test('a booking claim may be rejected before the appointment exists', async (t) => {
    specification(t)(appointmentDecider, []).when(reject(claim(1, -1))).then([rejected(claim(1, -1), t1)]);
  });
  t.test('rejecting a rejected claim again is a retry: nothing new', async (t) => {
    const lost = claim(2, 0, '12:00', '13:00');
    specification(t)(appointmentDecider, [...pending, rejected(lost)]).when(reject(lost)).then([]);
  });
  t.test('a claim on a version that has passed can never be adopted: nothing to record', async (t) => {
    specification(t)(appointmentDecider, confirmedHistory).when(reject(claim(2, 0, '12:00', '13:00'))).then([]);
  });
  t.test('an adopted claim cannot be rejected: conflict', async (t) => {
    specification(t)(appointmentDecider, pending).when(reject(claim(1, -1))).thenThrows('conflict');
  });
});

t.test('ConfirmAppointment', async (t) => {
  t.test('a pending appointment is confirmed by whoever the command names', async (t) => {
    specification(t)(appointmentDecider, pending).when(confirm).then([confirmed(t1)]);
  });
  t.test('only a pending appointment can be confirmed: conflict', async (t) => {
    for (const history of [confirmedHistory, [...confirmedHistory, completed()], [...pending, cancelled()], [...confirmedHistory, noShow()]]) {
      specification(t)(appointmentDecider, history).when(confirm).thenThrows('conflict');
    }
  });
  t.test('an unknown appointment cannot be confirmed: not_found', async (t) => {
    specification(t)(appointmentDecider, []).when(confirm).thenThrows('not_found');
  });
});

t.test('CompleteAppointment', async (t) => {
  t.test('a confirmed appointment is completed, naming the slot it gives up', async (t) => {
    specification(t)(appointmentDecider, confirmedHistory).when(complete).then([completed(t1)]);
  });
  t.test('only a confirmed appointment can be completed: conflict', async (t) => {
    for (const history of [pending, [...confirmedHistory, completed()], [...pending, cancelled()], [...confirmedHistory, noShow()]]) {
      specification(t)(appointmentDecider, history).when(complete).thenThrows('conflict');
    }
  });
  t.test('an unknown appointment cannot be completed: not_found', async (t) => {
    specification(t)(appointmentDecider, []).when(complete).thenThrows('not_found');
  });
});

t.test('CancelAppointment', async (t) => {
  t.test('a pending or confirmed appointment is cancelled, with the reason and who cancelled', async (t) => {
    specification(t)(appointmentDecider, pending).when(cancel).then([cancelled(t1)]);
    specification(t)(appointmentDecider, confirmedHistory).when(cancel).then([cancelled(t1)]);
  });
  t.test('a cancelled, completed or no-show appointment cannot be cancelled: conflict', async (t) => {
    for (const history of [[...pending, cancelled()], [...confirmedHistory, completed()], [...confirmedHistory, noShow()]]) {
      specification(t)(appointmentDecider, history).when(cancel).thenThrows('conflict');
    }
  });
  t.test('an unknown appointment cannot be cancelled: not_found', async (t) => {
    specification(t)(appointmentDecider, []).when(cancel).thenThrows('not_found');
  });
});

t.test('MarkNoShow', async (t) => {
  t.test('a confirmed appointment is marked a no-show from its start on', async (t) => {
    specification(t)(appointmentDecider, confirmedHistory).when(markNoShow(at('10:00'))).then([noShow(at('10:00'))]);
    specification(t)(appointmentDecider, confirmedHistory).when(markNoShow(at('12:00'))).then([noShow(at('12:00'))]);
  });
  t.test('the start of a rescheduled appointment is its new start', async (t) => {
    const moved = claim(2, 1, '12:00', '13:00');
    specification(t)(appointmentDecider, [...confirmedHistory, rescheduled(moved)]).when(markNoShow(at('11:00'))).thenThrows('conflict');
  });
  t.test('before its start it cannot be: conflict', async (t) => {
    specification(t)(appointmentDecider, confirmedHistory).when(markNoShow(at('09:59'))).thenThrows('conflict');
  });
  t.test('only a confirmed appointment can be marked a no-show: conflict', async (t) => {
    for (const history of [pending, [...confirmedHistory, completed()], [...pending, cancelled()], [...confirmedHistory, noShow()]]) {
      specification(t)(appointmentDecider, history).when(markNoShow(at('12:00'))).thenThrows('conflict');
    }
  });
  t.test('an unknown appointment cannot be marked: not_found', async (t) => {
    specification(t)(appointmentDecider, []).when(markNoShow(at('12:00'))).thenThrows('not_found');
  });
});

t.test('ChangeCost', async (t) => {
  const discounted: Cost = { amount: 250000, currency: 'RUB' };
  t.test('a pending, confirmed or completed appointment is repriced', async (t) => {
    for (const history of [pending, confirmedHistory, [...confirmedHistory, completed()]]) {
      specification(t)(appointmentDecider, history).when(changeCost(discounted)).then([costChanged(discounted, t1)]);
    }
  });
  t.test('a booking without a price gets one later', async (t) => {
    specification(t)(appointmentDecider, [booked(null)]).when(changeCost(price)).then([costChanged(price, t1)]);
  });
  t.test('the same price again is no event; another currency is a change', async (t) => {
    specification(t)(appointmentDecider, pending).when(changeCost({ ...price })).then([]);
    specification(t)(appointmentDecider, [...pending, costChanged(discounted)]).when(changeCost(discounted)).then([]);
    specification(t)(appointmentDecider, pending).when(changeCost({ amount: price.amount, currency: 'EUR' })).then([costChanged({ amount: price.amount, currency: 'EUR' }, t1)]);
  });
  t.test('a cancelled or no-show appointment cannot be repriced: conflict', async (t) => {
    specification(t)(appointmentDecider, [...pending, cancelled()]).when(changeCost(discounted)).thenThrows('conflict');
    specification(t)(appointmentDecider, [...confirmedHistory, noShow()]).when(changeCost(discounted)).thenThrows('conflict');
  });
  t.test('an unknown appointment cannot be repriced: not_found', async (t) => {
    specification(t)(appointmentDecider, []).when(changeCost(price)).thenThrows('not_found');
  });
});
