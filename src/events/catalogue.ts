import type { StoredEvent } from '../store/port.js';
import { upcast, type Event, type Upcaster } from './event.js';

/**
 * Upcasters of every event type whose schema has more than one version.
 * Empty while every event is at version 1; a new version adds its step here.
 */
const upcasters: Readonly<Record<string, readonly Upcaster[]>> = {};

export function toDomainEvent<E extends Event>(stored: StoredEvent): E {
  return upcast(stored, upcasters) as E;
}
