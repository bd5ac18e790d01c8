import type { StoredEvent } from '../store/port.js';
import { recordIdFor } from './client-record.js';
import { upcast, type Event, type Upcaster } from './event.js';

/**
 * Upcasters of every event type whose schema has more than one version:
 * step n turns version n into version n + 1.
 */
const upcasters: Readonly<Record<string, readonly Upcaster[]>> = {
  ClientRegistered: [
    // v1 -> v2: profiles gained `links`.
    (data) => ({ ...data, schemaVersion: 2, profile: { links: {}, ...(data.profile as Record<string, unknown>) } }),
  ],
};

/**
 * Legacy event types read as the event of the current model that carries
 * their meaning (docs/trust-model.md, "Migrating existing data").
 */
const renamed: Readonly<Record<string, (data: Record<string, unknown>) => Event>> = {
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
  if (rename) return rename(stored.data as Record<string, unknown>) as E;
  return upcast(stored, upcasters) as E;
}

