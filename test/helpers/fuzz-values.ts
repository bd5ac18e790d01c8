import type { FuzzWorld } from './fuzz-world.js';

// Plausible valid values for an OpenAPI schema, drawn from a seeded PRNG so a
// campaign can be replayed: ids come from the fuzz world, named after the
// field or path parameter that carries them.

export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

export function randomUuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = '4';
  hex[16] = pick(rng, ['8', '9', 'a', 'b']);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export interface Schema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Record<string, Schema>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly uniqueItems?: boolean;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly nullable?: boolean;
  readonly $ref?: string;
}

/** The first non-null branch of a union; the schema itself otherwise. */
export function concrete(schema: Schema, rng?: Rng): Schema {
  const branches = (schema.anyOf ?? schema.oneOf)?.filter((s) => s.type !== 'null');
  if (branches && branches.length > 0) return concrete(rng ? pick(rng, branches) : branches[0]!, rng);
  return schema;
}

export function typeOf(schema: Schema): string | undefined {
  const s = concrete(schema);
  if (s.enum) return typeof s.enum[0];
  if (s.const !== undefined) return typeof s.const;
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === undefined && s.properties) return 'object';
  return type as string | undefined;
}

/** The world's ids for a field or parameter name (`client_id`, `org`, the segment before `{id}`). */
// The seeds' own words for our resources (src/api/compat/): the path segment before an `{id}`, or a field.
const SEED_WORDS: Record<string, string> = {
  'client-u': 'record',
  'client-l': 'org',
  'clients-r': 'record',
  organization: 'org',
  clients: 'client',
  workers: 'specialist',
  worker: 'specialist',
  places: 'place',
  spot: 'place',
};

export function idsFor(world: FuzzWorld, name: string): readonly string[] {
  const bare = name.replace(/_id$/, '');
  const key = SEED_WORDS[bare] ?? bare;
  return world.ids[key] ?? world.ids[`${key}s`] ?? [];
}

let counter = 0;

function stringFor(rng: Rng, world: FuzzWorld, name: string, s: Schema): string {
  switch (s.format) {
    case 'uuid': {
      const ids = idsFor(world, name);
      return ids.length > 0 && rng() < 0.9 ? pick(rng, ids) : randomUuid(rng);
    }
    case 'phone':
      return rng() < 0.5 ? pick(rng, world.phones) : `+7916${String(Math.floor(rng() * 1e7)).padStart(7, '0')}`;
    case 'email':
      return `fuzz${++counter}-${Math.floor(rng() * 1e6)}@example.com`;
    case 'date':
      return world.day;
    case 'date-time':
      // The world's working day, or long before anything existed (a history as of then).
      return rng() < 0.8 ? world.start : '2000-01-01T00:00:00Z';
  }
  if (s.pattern?.includes('[0-9]{6}')) return String(Math.floor(rng() * 1e6)).padStart(6, '0');
  if (s.pattern?.includes(':')) return pick(rng, ['09:00', '12:30', '18:00']);
  if (/password/.test(name)) return pick(rng, ['fuzz-password-1', 'staff-password', 'person-password', 'client1client1']);
  if (name === 'time_zone') return pick(rng, ['Europe/Moscow', 'UTC', 'Asia/Tokyo']);
  if (name === 'cursor') return pick(rng, ['', 'abc', '0']);
  const text = `fuzz ${name} ${Math.floor(rng() * 1000)}`;
  const max = s.maxLength ?? 200;
  const min = s.minLength ?? 0;
  return text.slice(0, max).padEnd(min, 'x');
}

function numberFor(rng: Rng, name: string, s: Schema, integer: boolean): number {
  const known: Record<string, number> = { duration: 60, limit: 10, offset: 0, amount: 150_000, weekday: 1 };
  const min = s.minimum ?? 0;
  const max = s.maximum ?? Math.max(min + 100, 1000);
  const value = known[name] !== undefined && known[name]! >= min && known[name]! <= max ? known[name]! : min + rng() * Math.min(max - min, 1000);
  return integer ? Math.floor(value) : value;
}

/** A valid value for `schema`, as a well-behaved client would send it. */
export function validValue(rng: Rng, world: FuzzWorld, name: string, schema: Schema): unknown {
  const s = concrete(schema, rng);
  if (s.enum) return pick(rng, s.enum);
  if (s.const !== undefined) return s.const;
  switch (typeOf(s)) {
    case 'string':
      return stringFor(rng, world, name, s);
    case 'integer':
      return numberFor(rng, name, s, true);
    case 'number':
      return numberFor(rng, name, s, false);
    case 'boolean':
      return rng() < 0.5;
    case 'array': {
      if (!s.items) return [];
      const n = s.uniqueItems ? 1 : Math.max(s.minItems ?? 0, 1 + Math.floor(rng() * 2));
      return Array.from({ length: n }, () => validValue(rng, world, name, s.items!));
    }
    case 'object':
      return validObject(rng, world, s);
    default:
      return `fuzz ${name}`;
  }
}

export function validObject(rng: Rng, world: FuzzWorld, s: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(s.properties ?? {})) {
    if (s.required?.includes(key) || rng() < 0.5) out[key] = validValue(rng, world, key, property);
  }
  if (!s.properties && typeof s.additionalProperties === 'object') out.fuzz = validValue(rng, world, 'fuzz', s.additionalProperties);
  return out;
}
