// The resources of the API as named schemas (OpenAPI components.schemas), so a
// generated client has a `Client`, an `Appointment`... and not one anonymous
// type per operation.
//
// A route keeps its TypeBox schema inline, as it always did: fastify validates
// and serializes with it, and the handler's types come from it. Giving that
// object an `$id` instead would break validation (ajv refuses one `$id` met
// twice in a route, e.g. a record inside a page of records). So a resource is
// named here, by the identity of its schema object; fastify learns it as a
// shared schema (`addSchema`, `$id` = the name), and only the OpenAPI document
// replaces each appearance of the object by a reference to it (see
// openapi/document.ts).

/** The names of the resource schemas, by schema object. */
const names = new Map<object, string>();

/** Names a resource schema for the OpenAPI document; returns the schema unchanged. */
export function named<T extends object>(name: string, schema: T): T {
  const taken = [...names].find(([other, otherName]) => otherName === name && other !== schema);
  if (taken) throw new Error(`two schemas are named ${name}`);
  names.set(schema, name);
  return schema;
}

/** The name given to this very schema object, if any. */
export const nameOf = (schema: unknown): string | undefined => (typeof schema === 'object' && schema !== null ? names.get(schema) : undefined);

/** Every named schema, as fastify's shared schemas (`$id` = its name), nested resources by reference. */
export function sharedSchemas(): { $id: string }[] {
  return [...names].map(([schema, name]) => ({ ...(referencing(schema, schema) as object), $id: name }));
}

/**
 * A copy of a schema in which every named schema inside it (not `self`) is a
 * `{ $ref: name }`; the parts without one are the very same objects.
 */
export function referencing(schema: unknown, self?: unknown): unknown {
  if (Array.isArray(schema)) {
    const items = schema.map((item) => referencing(item));
    return items.every((item, i) => item === schema[i]) ? schema : items;
  }
  if (typeof schema !== 'object' || schema === null) return schema;
  const name = schema === self ? undefined : names.get(schema);
  if (name !== undefined) return { $ref: name };
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(schema)) {
    const replaced = referencing(value);
    if (replaced !== value) (copy ??= { ...schema })[key] = replaced;
  }
  return copy ?? schema;
}
