import type { StoredEvent } from '../store/port.js';
import { recordIdFor } from './clients/client-record.js';
import { upcast, type Event, type Upcaster } from './event.js';

type Data = Record<string, unknown>;

// --- Appointments and schedules -------------------------------------------
//
// Version 1 named the person's ACCOUNT in `clientId`; version 2 names the
// organization's client RECORD (docs/trust-model.md). The record made from an
// account at an organization (by a booking there, or by the migration of a
// legacy membership) has the id `recordIdFor(organization, account)`, so an
// old booking reads as one of that record and still counts against new ones.
// Version 2 also lets a booking's cost be null (not set by staff).

const ofRecord = (organizationId: unknown, slot: unknown): Data => {
  const s = slot as Data;
  return { ...s, clientId: recordIdFor(String(organizationId), String(s.clientId)) };
};

/** v1 -> v2 of an appointment event: each of these slot fields names the record. */
const slotsOfRecord =
  (...fields: readonly string[]): Upcaster =>
  (data) => {
    const next: Data = { ...data, schemaVersion: 2 };
    for (const field of fields) next[field] = ofRecord(data.organizationId, data[field]);
    return next;
  };

const schedulingUpcasters: Readonly<Record<string, readonly Upcaster[]>> = {
  AppointmentBooked: [slotsOfRecord('slot')],
  AppointmentRescheduled: [slotsOfRecord('from', 'to')],
  AppointmentCompleted: [slotsOfRecord('slot')],
  AppointmentCancelled: [slotsOfRecord('slot')],
  AppointmentMarkedNoShow: [slotsOfRecord('slot')],
  // A claim carries its client at the top level.
  SlotClaimed: [(data) => ({ ...ofRecord(data.organizationId, data), schemaVersion: 2 })],
};

// --- Everything -------------------------------------------------------------

/**
 * Upcasters of every event type whose schema has more than one version:
 * step n turns version n into version n + 1.
 */
const upcasters: Readonly<Record<string, readonly Upcaster[]>> = {
  ClientRegistered: [
    // v1 -> v2: profiles gained `links`.
    (data) => ({ ...data, schemaVersion: 2, profile: { links: {}, ...(data.profile as Data) } }),
  ],
  ...schedulingUpcasters,
};

/**
 * Legacy event types read as the event of the current model that carries
 * their meaning (docs/trust-model.md, "Migrating existing data").
 */
const renamed: Readonly<Record<string, (data: Data) => Event>> = {
  // A client "joined" an organization: in the trust model, their account is
  // linked to that organization's record of them, made from the membership.
  ClientJoinedOrganization: (data) => ({
    type: 'ClientLinkedToRecord',
    data: { clientId: data.clientId, organizationId: data.organizationId, recordId: recordIdFor(String(data.organizationId), String(data.clientId)), linkedAt: data.joinedAt },
  }),
  ClientLeftOrganization: (data) => ({
    type: 'ClientUnlinkedFromRecord',
    data: { clientId: data.clientId, organizationId: data.organizationId, recordId: recordIdFor(String(data.organizationId), String(data.clientId)), unlinkedAt: data.leftAt },
  }),
};

export function toDomainEvent<E extends Event>(stored: StoredEvent): E {
  const rename = renamed[stored.type];
  if (rename) return rename(stored.data as Data) as E;
  return upcast(stored, upcasters) as E;
}
