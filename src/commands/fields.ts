import type { TObject } from 'typebox';

// A command's details, profile or changes come from a request body. A decider
// copies into its event only the fields its event's schema names: whatever
// else rides along (a field a route forgot to refuse) goes no further.

/** The names of a schema's fields. */
export const fieldsOf = <T extends TObject>(schema: T) => Object.keys(schema.properties) as (keyof T['properties'] & string)[];

/** The named fields of `value`, and nothing else (an optional one left out stays out). */
export function pick<T extends object>(value: T, fields: readonly (keyof T & string)[]): T {
  const picked: Partial<T> = {};
  for (const field of fields) if (value[field] !== undefined) picked[field] = value[field];
  return picked as T;
}

// numbers, links and the like are small objects: compared by their JSON.
const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * The named fields `requested` sets to something other than `current` holds,
 * with their new values: an unchanged field is no event, an unnamed one none either.
 */
export function changedFields<T extends object>(fields: readonly (keyof T & string)[], current: Readonly<Record<string, unknown>>, requested: Partial<T>): Partial<T> {
  const changes: Partial<T> = {};
  for (const field of fields) {
    const value = requested[field];
    if (value !== undefined && !same(value, current[field])) changes[field] = value;
  }
  return changes;
}
