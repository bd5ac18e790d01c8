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

/** The data of `event` at its type's current version: each step from the version it was written at. */
export function upcastData(event: Event, steps: readonly Upcaster[]): Record<string, unknown> {
  let data = event.data as Record<string, unknown>;
  const from = typeof data.schemaVersion === 'number' ? data.schemaVersion : 1;
  for (let version = from; version <= steps.length; version++) data = steps[version - 1]!(data);
  return data;
}

/**
 * An event read from the store, as one of the types its reader knows: the
 * store reads every event at its type's current version (src/store/cataloged.ts),
 * and a reader only acts on the types it names.
 */
export const asEvent = <E extends Event>(event: Event): E => event as E;
