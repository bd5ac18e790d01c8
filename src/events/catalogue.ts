import Type, { type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { upcastData, type Event, type Upcaster } from './event.js';
import type { PersonalDeclarations, PersonalFields } from './personal.js';

/**
 * What a capability declares of its events (src/events/<capability>/index.ts):
 * - `schemas`: the data schema of every event type it writes today, checked
 *   on append: an event that does not match is a programming error and never
 *   reaches the log, where every projection would have to live with it;
 * - `upcasters`: per type, step n turns version n of the data into n + 1;
 * - `renamed`: legacy types, no longer written, read as the current event
 *   that carries their meaning. A type with no schema cannot be appended;
 * - `personal`: per type, the fields that hold personal data and whose key
 *   encrypts them (src/events/personal.ts).
 */
export interface EventCatalogue {
  readonly schemas: Readonly<Record<string, TSchema>>;
  readonly personal?: PersonalDeclarations;
  readonly upcasters?: Readonly<Record<string, readonly Upcaster[]>>;
  readonly renamed?: Readonly<Record<string, (data: Record<string, unknown>) => Event>>;
}

/** Every capability's events, as the store checks them on append and reads them. */
export interface Catalogue {
  /** Event types that may be appended. */
  readonly writableTypes: ReadonlySet<string>;
  /** Why an event to append does not match its type's schema, or undefined when it matches. */
  failure(event: { type: string; data: unknown; metadata: unknown }): string | undefined;
  /** The event as today's code reads it: renamed and upcast; the same object when it is current. */
  current<E extends Event>(event: E): E;
  /** The personal fields of a type as it is written today, if it has any. */
  personalOf(type: string): PersonalFields | undefined;
}

const Metadata = Type.Object({
  actor: Type.Object({ kind: Type.Union(['client', 'user', 'admin', 'system', 'anonymous'].map((k) => Type.Literal(k))), id: Type.Optional(Type.String()) }),
  correlationId: Type.String(),
  causationId: Type.String(),
  requestId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  // W3C trace context, version 00 (src/observability/tracing.ts).
  traceparent: Type.Optional(Type.String({ pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' })),
});

/**
 * The schema with every object closed (additionalProperties: false), however
 * it was built: `Type.Partial` and spreads of `.properties` drop the option,
 * and the HTTP schemas reuse these declarations, so it is applied here, once.
 * Records (patternProperties) are left as they are: their keys are data.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = key === 'const' || key === 'enum' || key === 'default' ? value : closed(value);
  if ('properties' in copy && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

const compile = (schema: TSchema) => Compile(closed(schema) as TSchema);
type Validator = ReturnType<typeof compile>;
const metadataValidator = compile(Metadata);

/** Where a value first fails its schema: a JSON pointer (the data's root is '/') and why, never the value. */
function firstFailure(validator: Validator, value: unknown): string {
  const errors = [...validator.Errors(value)];
  // The failure that names the deepest path says the most ("/changes/extra must not be there").
  const deepest = errors.reduce<(typeof errors)[number] | undefined>((best, e) => (best && best.instancePath.length >= e.instancePath.length ? best : e), undefined);
  if (!deepest) return '/: does not match';
  const why = deepest.keyword === 'boolean' ? 'is not a field the schema names' : deepest.message;
  return `${deepest.instancePath || '/'}: ${why}`;
}

/** One type, one owner: two capabilities declaring the same type is a programming error. */
function merged<T>(parts: readonly (Readonly<Record<string, T>> | undefined)[], what: string): Map<string, T> {
  const all = new Map<string, T>();
  for (const part of parts) {
    for (const [type, value] of Object.entries(part ?? {})) {
      if (all.has(type)) throw new Error(`event type ${type} has two ${what}`);
      all.set(type, value);
    }
  }
  return all;
}

export function catalogueOf(parts: readonly EventCatalogue[]): Catalogue {
  const validators = new Map([...merged(parts.map((p) => p.schemas), 'schemas')].map(([type, schema]) => [type, compile(schema)]));
  const upcasters = merged(parts.map((p) => p.upcasters), 'upcaster lists');
  const renamed = merged(parts.map((p) => p.renamed), 'renamings');
  const personal = merged(parts.map((p) => p.personal), 'personal declarations');
  for (const type of personal.keys()) if (!validators.has(type)) throw new Error(`event type ${type} declares personal fields but has no schema`);
  return {
    writableTypes: new Set(validators.keys()),
    failure(event) {
      const validator = validators.get(event.type);
      if (!validator) return 'unknown event type';
      if (!validator.Check(event.data)) return `data ${firstFailure(validator, event.data)}`;
      if (!metadataValidator.Check(event.metadata)) return `metadata ${firstFailure(metadataValidator, event.metadata)}`;
      return undefined;
    },
    current<E extends Event>(event: E): E {
      const rename = renamed.get(event.type);
      if (rename) return { ...event, ...rename(event.data as Record<string, unknown>) };
      const steps = upcasters.get(event.type);
      if (!steps) return event;
      const data = upcastData(event, steps);
      return data === event.data ? event : { ...event, data };
    },
    personalOf: (type) => personal.get(type),
  };
}
