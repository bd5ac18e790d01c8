import type { StoredEvent } from '../store/port.js';
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

export function toDomainEvent<E extends Event>(stored: StoredEvent): E {
  return upcast(stored, upcasters) as E;
}
