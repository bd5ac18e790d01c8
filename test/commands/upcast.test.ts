import t from 'tap';
import { appointmentDecider } from '../../src/commands/scheduling/appointment.js';
import { clientDecider, registered } from '../../src/commands/clients/client.js';
import { fold } from '../../src/commands/decider.js';
import { DomainError } from '../../src/commands/errors.js';
import { scheduleDecider } from '../../src/commands/scheduling/schedule.js';
import type { AppointmentEvent } from '../../src/events/scheduling/appointment.js';
import { eventCatalogue } from '../../src/compose.js';
import type { ClientEvent } from '../../src/events/clients/client.js';
import { recordIdFor } from '../../src/events/clients/client-record.js';
import type { Claim, ScheduleEvent } from '../../src/events/scheduling/schedule.js';
import type { StoredEvent } from '../../src/store/port.js';

/** The event as the store reads it today (src/store/cataloged.ts): its type and data. */
function toDomainEvent<E extends { type: string; data: unknown }>(stored: StoredEvent): E {
  const { type, data } = eventCatalogue.current(stored);
  return { type, data } as E;
}

const v1: StoredEvent = {
  id: '5f0c6b7e-8d3c-4a49-9a51-0d6f4f9c1a10',
  stream: 'client-1',
  version: 0,
  position: { commit: 1n, prepare: 1n },
  type: 'ClientRegistered',
  data: {
    clientId: 'c1',
    phone: '+79517586284',
    profile: { firstName: 'A', lastName: '', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: '' },
    passwordSet: false,
    registeredAt: '2026-01-01T00:00:00.000Z',
  },
  metadata: { actor: { kind: 'system' }, correlationId: 'x', causationId: 'x' },
  createdAt: new Date('2026-01-01T00:00:00Z'),
};

t.test('a version 1 ClientRegistered is read as version 2 (links added), the stored event untouched', async (t) => {
  const event = toDomainEvent(v1);
  t.match(event.data, { schemaVersion: 2, profile: { firstName: 'A', links: {} } });
  t.notOk('links' in (v1.data as { profile: object }).profile, 'upcasting does not change the stored event');
  const v2 = { ...v1, data: { ...(v1.data as object), schemaVersion: 2, profile: { ...(v1.data as { profile: object }).profile, links: { vk: 'x' } } } };
  t.same((toDomainEvent(v2).data as { profile: { links: object } }).profile.links, { vk: 'x' }, 'a current event passes unchanged');
});

// --- Client memberships: before the trust model a client "joined" organizations ---

const joinedOrg = '7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a01';
const leftOrg = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
function legacyClientEvent(type: string, data: Record<string, unknown>, version: number): StoredEvent {
  return { ...v1, id: `7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e${String(version).padStart(2, '0')}`, version, position: { commit: BigInt(version + 2), prepare: BigInt(version + 2) }, type, data };
}
const legacyAccount = [
  v1,
  legacyClientEvent('PhoneVerified', { clientId: 'c1', phone: '+79517586284', verifiedAt: '2026-01-01T00:01:00.000Z' }, 1),
  legacyClientEvent('ClientJoinedOrganization', { clientId: 'c1', organizationId: joinedOrg, joinedAt: '2026-01-02T00:00:00.000Z' }, 2),
  legacyClientEvent('ClientJoinedOrganization', { clientId: 'c1', organizationId: leftOrg, joinedAt: '2026-01-03T00:00:00.000Z' }, 3),
  legacyClientEvent('ClientLeftOrganization', { clientId: 'c1', organizationId: leftOrg, leftAt: '2026-01-04T00:00:00.000Z' }, 4),
];

t.test('a legacy membership is read as the link of the account to that organization’s record', async (t) => {
  t.strictSame(toDomainEvent(legacyAccount[2]!), {
    type: 'ClientLinkedToRecord',
    data: { clientId: 'c1', organizationId: joinedOrg, recordId: recordIdFor(joinedOrg, 'c1'), linkedAt: '2026-01-02T00:00:00.000Z' },
  }, 'ClientJoinedOrganization: linked to recordIdFor(organization, client)');
  t.strictSame(toDomainEvent(legacyAccount[4]!), {
    type: 'ClientUnlinkedFromRecord',
    data: { clientId: 'c1', organizationId: leftOrg, recordId: recordIdFor(leftOrg, 'c1'), unlinkedAt: '2026-01-04T00:00:00.000Z' },
  }, 'ClientLeftOrganization: unlinked from it');
  t.equal(legacyAccount[2]!.type, 'ClientJoinedOrganization', 'the stored event is untouched');
  t.equal(recordIdFor(joinedOrg.toUpperCase(), 'C1'), recordIdFor(joinedOrg, 'c1'), 'the record id does not depend on the case of the ids');
});

t.test('a legacy account folds to its links: still a member → linked; left → not', async (t) => {
  const account = fold(clientDecider, legacyAccount.map((e) => toDomainEvent<ClientEvent>(e)));
  t.match(account, { status: 'registered', clientId: 'c1', confirmedPhone: true, profile: { firstName: 'A', links: {} } });
  t.strictSame(registered(account).links, { [joinedOrg]: recordIdFor(joinedOrg, 'c1') });
  const now = '2026-02-01T00:00:00.000Z';
  t.strictSame(clientDecider.decide({ type: 'LinkRecord', data: { organizationId: joinedOrg, recordId: recordIdFor(joinedOrg, 'c1'), now } }, account), [], 'the migrated record is already linked');
  t.throws(() => clientDecider.decide({ type: 'LinkRecord', data: { organizationId: joinedOrg, recordId: 'another-record', now } }, account), new DomainError('conflict', 'Your account is already linked to another record of this organization.'), 'no second record of that organization');
  t.match(clientDecider.decide({ type: 'LinkRecord', data: { organizationId: leftOrg, recordId: 'a-new-record', now } }, account), [{ type: 'ClientLinkedToRecord' }], 'where they left, a new link may be made');
});

// --- Appointments and schedules: version 1 named the person's account ---

const org = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const account = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const record = recordIdFor(org, account);
const now = '2026-06-01T08:00:00.000Z';
const legacySlot = { claimId: 'claim-1', day: '2026-06-10', days: ['2026-06-10'], specialistId: 'doctor', placeId: null, clientId: account, start: '2026-06-10T10:00:00.000Z', end: '2026-06-10T11:00:00.000Z', timeZone: 'UTC' };
const movedSlot = { ...legacySlot, claimId: 'claim-2', start: '2026-06-10T12:00:00.000Z', end: '2026-06-10T13:00:00.000Z' };
const ids = { appointmentId: 'appt', organizationId: org };

let position = 10n;
function stored(type: string, data: Record<string, unknown>, stream = 'appointment-appt'): StoredEvent {
  position++;
  return { id: `5f0c6b7e-8d3c-4a49-9a51-0d6f4f9c1a${String(position).padStart(2, '0')}`, stream, version: 0, position: { commit: position, prepare: position }, type, data, metadata: { actor: { kind: 'system' }, correlationId: 'x', causationId: 'x' }, createdAt: new Date(now) };
}

const legacy = {
  booked: stored('AppointmentBooked', { ...ids, slot: legacySlot, service: 'Massage', cost: { amount: 300000, currency: 'RUB' }, bookedBy: { kind: 'client', id: account }, bookedAt: now }),
  rescheduled: stored('AppointmentRescheduled', { ...ids, from: legacySlot, to: movedSlot, rescheduledAt: now }),
  completed: stored('AppointmentCompleted', { ...ids, slot: movedSlot, completedAt: now }),
  cancelled: stored('AppointmentCancelled', { ...ids, slot: legacySlot, reason: 'ill', cancelledBy: { kind: 'client', id: account }, cancelledAt: now }),
  noShow: stored('AppointmentMarkedNoShow', { ...ids, slot: legacySlot, markedAt: now }),
  claimed: stored('SlotClaimed', { ...legacySlot, appointmentId: 'appt', organizationId: org, basis: -1, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, terms: { service: 'Massage', cost: { amount: 1, currency: 'RUB' }, bookedBy: { kind: 'client', id: account } }, claimedAt: now }, `schedule-${org}-2026-06-10`),
};

t.test('every version 1 appointment and claim event names the record the person has at that organization', async (t) => {
  t.not(record, account, 'a record id is not the account id');
  t.match(toDomainEvent(legacy.booked).data, { schemaVersion: 2, slot: { ...legacySlot, clientId: record }, service: 'Massage', cost: { amount: 300000, currency: 'RUB' } }, 'booked');
  t.match(toDomainEvent(legacy.rescheduled).data, { schemaVersion: 2, from: { claimId: 'claim-1', clientId: record }, to: { claimId: 'claim-2', clientId: record } }, 'rescheduled: from and to');
  for (const event of [legacy.completed, legacy.cancelled, legacy.noShow]) {
    t.match(toDomainEvent(event).data, { schemaVersion: 2, slot: { clientId: record } }, event.type);
  }
  t.match(toDomainEvent(legacy.cancelled).data, { cancelledBy: { kind: 'client', id: account } }, 'an actor stays who acted');
  t.match(toDomainEvent(legacy.claimed).data, { schemaVersion: 2, clientId: record, organizationId: org, claimId: 'claim-1' }, 'a claim');
  t.equal((legacy.booked.data as { slot: { clientId: string } }).slot.clientId, account, 'the stored event is untouched');
  t.equal((legacy.claimed.data as { clientId: string }).clientId, account);
});

t.test('version 2 events, and events that name no client, pass unchanged', async (t) => {
  const current = stored('AppointmentBooked', { schemaVersion: 2, ...ids, slot: { ...legacySlot, clientId: record }, service: '', cost: null, bookedBy: { kind: 'user', id: 'u' }, bookedAt: now });
  t.same(toDomainEvent(current).data, current.data, 'a current booking (no price) is read as written');
  const claim = stored('SlotClaimed', { schemaVersion: 2, ...legacySlot, clientId: record, appointmentId: 'appt', organizationId: org, basis: -1, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, claimedAt: now });
  t.same(toDomainEvent(claim).data, claim.data, 'a current claim');
  for (const [type, data] of [
    ['AppointmentConfirmed', { ...ids, confirmedBy: { kind: 'user', id: 'u' }, confirmedAt: now }],
    ['AppointmentCostChanged', { ...ids, cost: { amount: 1, currency: 'RUB' }, changedAt: now }],
    ['AppointmentClaimRejected', { ...ids, claimId: 'c', conflicts: {}, rejectedAt: now }],
    ['SlotReleased', { claimId: 'c', appointmentId: 'appt', organizationId: org, reason: 'cancelled', releasedAt: now }],
  ] as const) {
    t.same(toDomainEvent(stored(type, data)).data, data, type);
  }
});

t.test('a legacy booking still holds the client: a new claim of their record conflicts with it', async (t) => {
  const day = fold(scheduleDecider, [toDomainEvent<ScheduleEvent>(legacy.claimed)]);
  const claim: Claim = {
    claimId: 'claim-new', appointmentId: 'other', organizationId: org, basis: -1, day: '2026-06-10', days: ['2026-06-10'],
    specialistId: 'nurse', placeId: null, clientId: record, start: '2026-06-10T10:30:00.000Z', end: '2026-06-10T11:30:00.000Z',
    timeZone: 'UTC', bufferBeforeMinutes: 0, bufferAfterMinutes: 0, terms: { service: '', cost: null, bookedBy: { kind: 'user', id: 'u' } },
  };
  const working = [{ start: Date.parse('2026-06-10T09:00:00Z'), end: Date.parse('2026-06-10T18:00:00Z'), placeId: null }];
  const refusal = (() => {
    try {
      return scheduleDecider.decide({ type: 'ClaimSlot', data: { claim, working, now } }, day);
    } catch (error) {
      return error;
    }
  })();
  t.match(refusal, { kind: 'conflict', fields: { client_id: ['The client has another appointment at this time.'] } }, 'the same client at the same time');

  const appointment = fold(appointmentDecider, [toDomainEvent<AppointmentEvent>(legacy.booked)]);
  const [cancel] = appointmentDecider.decide({ type: 'CancelAppointment', data: { reason: '', by: { kind: 'user', id: 'u' }, now } }, appointment);
  t.match(cancel, { type: 'AppointmentCancelled', data: { schemaVersion: 2, slot: { clientId: record } } }, 'what follows a legacy booking is written with the record');
});
