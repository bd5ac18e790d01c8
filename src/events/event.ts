import type { StoredEvent } from '../store/port.js';

/** A domain event as deciders and projections see it: a type and plain data. */
export interface Event<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * Old versions of an event are brought up to date when read (an event once
 * written is never changed). Keyed by event type; each step returns the data
 * of the next version.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export function upcast(stored: StoredEvent, upcasters: Readonly<Record<string, readonly Upcaster[]>>): Event {
  let data = stored.data as Record<string, unknown>;
  const steps = upcasters[stored.type] ?? [];
  const from = typeof data.schemaVersion === 'number' ? data.schemaVersion : 1;
  for (let version = from; version <= steps.length; version++) data = steps[version - 1]!(data);
  return { type: stored.type, data };
}
