import t from 'tap';
import { waitlistDecider, type WaitlistCommand } from '../../../src/commands/waitlist/entry.js';
import { suits } from '../../../src/commands/waitlist/matching.js';
import type { WaitlistEvent, WaitlistWindow } from '../../../src/events/waitlist/entry.js';
import { specification } from '../spec.js';

// Every command of a waitlist entry's stream (`waitlist-{id}`), given/when/then,
// and the rule of which freed time suits an entry.

const entryId = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const serviceId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const specialistId = '2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const otherSpecialist = '3c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const appointmentId = '4c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const otherAppointment = '5c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const client = { kind: 'account' as const, id: '6c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' };
const by = { kind: 'client', id: client.id };
const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:10:00.000Z';
const expiresAt = '2026-01-01T00:30:00.000Z';
const late = '2026-01-01T00:31:00.000Z';
const window: WaitlistWindow = { fromDate: '2026-01-05', toDate: '2026-01-10', fromTime: '09:00', toTime: '13:00' };
const ids = { entryId, organizationId };

const joined: WaitlistEvent = { type: 'WaitlistJoined', data: { ...ids, client, serviceId, specialistId: null, ...window, joinedBy: by, joinedAt: t0 } };
const offer = { appointmentId, claimId: 'claim-1', specialistId, start: '2026-01-06T10:00:00.000Z', end: '2026-01-06T11:00:00.000Z', expiresAt };
const offered = (id = appointmentId): WaitlistEvent => ({ type: 'WaitlistOffered', data: { ...ids, ...offer, appointmentId: id, offeredAt: t0 } });
const lapsed: WaitlistEvent = { type: 'WaitlistOfferLapsed', data: { ...ids, appointmentId, lapsedAt: t1 } };
const accepted: WaitlistEvent = { type: 'WaitlistOfferAccepted', data: { ...ids, appointmentId, acceptedBy: by, acceptedAt: t1 } };
const expired: WaitlistEvent = { type: 'WaitlistOfferExpired', data: { ...ids, appointmentId, expiredAt: late } };
const withdrawn = (at = t1): WaitlistEvent => ({ type: 'WaitlistWithdrawn', data: { ...ids, withdrawnBy: by, withdrawnAt: at } });

const join = (w: WaitlistWindow = window): WaitlistCommand => ({ type: 'JoinWaitlist', data: { ...ids, client, serviceId, specialistId: null, window: w, by, now: t0 } });
const makeOffer = (id = appointmentId): WaitlistCommand => ({ type: 'MakeOffer', data: { ...offer, appointmentId: id, now: t0 } });
const lapse = (id = appointmentId): WaitlistCommand => ({ type: 'LapseOffer', data: { appointmentId: id, now: t1 } });
const accept = (now = t1): WaitlistCommand => ({ type: 'AcceptOffer', data: { by, now } });
const expire = (now = late, id = appointmentId): WaitlistCommand => ({ type: 'ExpireOffer', data: { appointmentId: id, now } });
const withdraw: WaitlistCommand = { type: 'Withdraw', data: { by, now: t1 } };

t.test('JoinWaitlist', async (t) => {
  t.test('an entry waits for its service in its window', async (t) => {
    specification(t)(waitlistDecider, []).when(join()).then([joined]);
  });
  t.test('an entry is made once: conflict', async (t) => {
    specification(t)(waitlistDecider, [joined]).when(join()).thenThrows('conflict');
  });
  t.test('a window that ends before it starts, spans more than 60 days or has backwards hours: invalid', async (t) => {
    specification(t)(waitlistDecider, []).when(join({ ...window, toDate: '2026-01-04' })).thenThrows('invalid');
    specification(t)(waitlistDecider, []).when(join({ ...window, toDate: '2026-03-07' })).thenThrows('invalid');
    specification(t)(waitlistDecider, []).when(join({ ...window, fromTime: '13:00', toTime: '09:00' })).thenThrows('invalid');
  });
  t.test('exactly 60 days and the whole day are allowed', async (t) => {
    const wide = { ...window, toDate: '2026-03-06', fromTime: '00:00', toTime: '24:00' };
    specification(t)(waitlistDecider, []).when(join(wide)).then([{ type: 'WaitlistJoined', data: { ...joined.data, ...wide } } as WaitlistEvent]);
  });
});

t.test('MakeOffer', async (t) => {
  t.test('a waiting entry is offered a time', async (t) => {
    specification(t)(waitlistDecider, [joined]).when(makeOffer()).then([offered()]);
  });
  t.test('the same offer again (a retried job) is nothing new', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(makeOffer()).then([]);
  });
  t.test('a second offer while one is open: conflict', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(makeOffer(otherAppointment)).thenThrows('conflict');
  });
  t.test('a lapsed offer leaves the entry waiting for the next one', async (t) => {
    specification(t)(waitlistDecider, [joined, offered(), lapsed]).when(makeOffer(otherAppointment)).then([offered(otherAppointment)]);
  });
  t.test('booked, expired or withdrawn entries are offered nothing: conflict', async (t) => {
    specification(t)(waitlistDecider, [joined, offered(), accepted]).when(makeOffer(otherAppointment)).thenThrows('conflict');
    specification(t)(waitlistDecider, [joined, offered(), expired]).when(makeOffer(otherAppointment)).thenThrows('conflict');
    specification(t)(waitlistDecider, [joined, withdrawn()]).when(makeOffer()).thenThrows('conflict');
  });
  t.test('no entry: not found', async (t) => {
    specification(t)(waitlistDecider, []).when(makeOffer()).thenThrows('not_found');
  });
});

t.test('LapseOffer', async (t) => {
  t.test('the open offer lapses', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(lapse()).then([lapsed]);
  });
  t.test('another offer, or none open: nothing', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(lapse(otherAppointment)).then([]);
    specification(t)(waitlistDecider, [joined, offered(), accepted]).when(lapse()).then([]);
  });
});

t.test('AcceptOffer', async (t) => {
  t.test('before it expires, the offer is accepted', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(accept()).then([accepted]);
  });
  t.test('at or after its expiry: conflict', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(accept(expiresAt)).thenThrows('conflict');
  });
  t.test('no open offer (waiting, expired, withdrawn): conflict; accepted again: nothing', async (t) => {
    specification(t)(waitlistDecider, [joined]).when(accept()).thenThrows('conflict');
    specification(t)(waitlistDecider, [joined, offered(), expired]).when(accept()).thenThrows('conflict');
    specification(t)(waitlistDecider, [joined, offered(), withdrawn()]).when(accept()).thenThrows('conflict');
    specification(t)(waitlistDecider, [joined, offered(), accepted]).when(accept()).then([]);
  });
});

t.test('ExpireOffer', async (t) => {
  t.test('an open offer past its time expires', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(expire()).then([expired]);
  });
  t.test('not yet due, accepted, withdrawn, or another offer: nothing', async (t) => {
    specification(t)(waitlistDecider, [joined, offered()]).when(expire(t1)).then([]);
    specification(t)(waitlistDecider, [joined, offered(), accepted]).when(expire()).then([]);
    specification(t)(waitlistDecider, [joined, offered(), withdrawn()]).when(expire()).then([]);
    specification(t)(waitlistDecider, [joined, offered()]).when(expire(late, otherAppointment)).then([]);
  });
});

t.test('Withdraw', async (t) => {
  t.test('a waiting or offered entry is withdrawn; again is nothing', async (t) => {
    specification(t)(waitlistDecider, [joined]).when(withdraw).then([withdrawn()]);
    specification(t)(waitlistDecider, [joined, offered()]).when(withdraw).then([withdrawn()]);
    specification(t)(waitlistDecider, [joined, withdrawn()]).when(withdraw).then([]);
  });
  t.test('a booked or expired entry: conflict', async (t) => {
    specification(t)(waitlistDecider, [joined, offered(), accepted]).when(withdraw).thenThrows('conflict');
    specification(t)(waitlistDecider, [joined, offered(), expired]).when(withdraw).thenThrows('conflict');
  });
});

t.test('which freed time suits an entry', async (t) => {
  const entry = { ...ids, client, serviceId, specialistId: null, window, status: 'waiting' as const, offer: undefined };
  const service = { specialistIds: [specialistId], durationMinutes: 60 };
  const freed = (start: string, specialist = specialistId, timeZone = 'Europe/Berlin', minutes = 60) => ({
    specialistId: specialist,
    start,
    end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
    timeZone,
  });
  t.ok(suits(entry, service, freed('2026-01-06T09:00:00.000Z')), '10:00-11:00 Berlin, inside 09:00-13:00 on the 6th');
  t.ok(suits(entry, service, freed('2026-01-06T11:00:00.000Z')), '12:00-13:00 ends at the window’s end');
  t.notOk(suits(entry, service, freed('2026-01-06T11:30:00.000Z')), '12:30-13:30 runs past the hours');
  t.notOk(suits(entry, service, freed('2026-01-06T07:30:00.000Z')), '08:30 starts before the hours');
  t.notOk(suits(entry, service, freed('2026-01-11T09:00:00.000Z')), 'the 11th is past the dates');
  t.notOk(suits(entry, service, freed('2026-01-06T09:00:00.000Z', specialistId, 'Europe/Berlin', 30)), 'an hour does not fit in the half hour freed');
  t.ok(suits(entry, { ...service, durationMinutes: 30 }, freed('2026-01-06T09:00:00.000Z')), 'a half hour fits in the hour freed');
  t.notOk(suits(entry, service, freed('2026-01-06T09:00:00.000Z', otherSpecialist)), 'a specialist who does not offer the service');
  t.notOk(suits({ ...entry, specialistId: otherSpecialist }, { ...service, specialistIds: [specialistId, otherSpecialist] }, freed('2026-01-06T09:00:00.000Z')), 'not the specialist the entry named');
  const night = { ...entry, window: { ...window, fromTime: '23:00', toTime: '24:00' } };
  t.ok(suits(night, service, freed('2026-01-06T22:00:00.000Z')), '23:00-24:00 ends at midnight');
  t.notOk(suits(night, service, freed('2026-01-06T22:30:00.000Z')), '23:30-00:30 crosses midnight');
});
