import { concrete, pick, randomUuid, typeOf, type Rng, type Schema } from './fuzz-values.js';
import type { FuzzWorld } from './fuzz-world.js';

// The hostile variants of one valid request. Each mutates a draft in place
// and says whether it applied (an operation with no number anywhere has no
// huge-number variant).

export const VARIANTS = [
  'valid',
  'missing-required',
  'wrong-type',
  'unknown-property',
  'nul-byte',
  'lone-surrogate',
  'huge-number',
  'negative-number',
  'zero-number',
  'decimal-number',
  'over-long-string',
  'upper-case-uuid',
  'random-uuid',
  'non-json-body',
  'wrong-content-type',
  'deep-json',
  'huge-json',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** JSON text spliced into a body as is (1e999 has no JavaScript value that serializes to it). */
export class Raw {
  constructor(readonly text: string) {}
}

export interface Param {
  readonly in: string;
  readonly name: string;
  readonly required?: boolean;
  readonly schema: Schema;
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly params: readonly Param[];
  readonly body: Schema | undefined;
}

/** One request before it is sent: path and query values are already URL-encoded, so a variant can put any bytes there. */
export interface Draft {
  readonly path: Record<string, string>;
  readonly query: Record<string, string>;
  body: unknown;
  raw?: string;
  contentType?: string;
}

interface Slot {
  readonly where: 'body' | 'query' | 'path';
  /** Body: the property path; query and path: the parameter name. */
  readonly key: readonly string[];
  readonly schema: Schema;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function slotsOf(op: Operation, draft: Draft): Slot[] {
  const slots: Slot[] = [];
  const body = op.body ? concrete(op.body) : undefined;
  for (const [key, schema] of Object.entries(body?.properties ?? {})) {
    slots.push({ where: 'body', key: [key], schema });
    const inner = concrete(schema);
    const present = (draft.body as Record<string, unknown> | undefined)?.[key];
    if (inner.properties && present && typeof present === 'object' && !Array.isArray(present)) {
      for (const [sub, subSchema] of Object.entries(inner.properties)) slots.push({ where: 'body', key: [key, sub], schema: subSchema });
    }
  }
  for (const p of op.params) if (p.in === 'query' || p.in === 'path') slots.push({ where: p.in, key: [p.name], schema: p.schema });
  return slots;
}

function set(draft: Draft, slot: Slot, json: unknown, url: string): void {
  if (slot.where === 'query') draft.query[slot.key[0]!] = url;
  else if (slot.where === 'path') draft.path[slot.key[0]!] = url;
  else {
    if (draft.body === null || typeof draft.body !== 'object' || Array.isArray(draft.body)) draft.body = {};
    let target = draft.body as Record<string, unknown>;
    for (const key of slot.key.slice(0, -1)) {
      const next = target[key];
      target = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : (target[key] = {});
    }
    target[slot.key.at(-1)!] = json;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function currentOf(draft: Draft, slot: Slot): unknown {
  if (slot.where !== 'body') return (slot.where === 'path' ? draft.path : draft.query)[slot.key[0]!];
  let value: unknown = draft.body;
  for (const key of slot.key) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

const isString = (s: Slot) => typeOf(s.schema) === 'string';
const isNumber = (s: Slot) => typeOf(s.schema) === 'integer' || typeOf(s.schema) === 'number';
const isUuid = (s: Slot) => s.where === 'path' || concrete(s.schema).format === 'uuid';

/** Applies `f` to a random slot that passes `which`; false when there is none. */
function onSlot(rng: Rng, op: Operation, draft: Draft, which: (s: Slot) => boolean, f: (s: Slot) => void): boolean {
  const candidates = slotsOf(op, draft).filter(which);
  if (candidates.length === 0) return false;
  f(pick(rng, candidates));
  return true;
}

function deepJson(rng: Rng, key: string): string {
  const depth = pick(rng, [1_000, 10_000, 20_000]);
  return rng() < 0.5 ? `{"${key}":${'['.repeat(depth)}${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth / 2)}1${'}'.repeat(depth / 2)}`;
}

function hugeJson(rng: Rng, key: string): string {
  switch (pick(rng, ['over-limit', 'long-array', 'many-keys'])) {
    case 'over-limit':
      return JSON.stringify({ [key]: 'a'.repeat(70_000) });
    case 'long-array':
      return JSON.stringify({ [key]: Array.from({ length: 10_000 }, (_, i) => i) });
    default:
      return JSON.stringify(Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, i])));
  }
}

/** Mutates `draft` into `variant`; false when the variant does not apply to this operation. */
export function mutate(variant: Variant, rng: Rng, world: FuzzWorld, op: Operation, draft: Draft): boolean {
  const hasBody = BODY_METHODS.has(op.method);
  const firstKey = Object.keys(concrete(op.body ?? {}).properties ?? {})[0] ?? 'name';
  switch (variant) {
    case 'valid':
      return true;
    case 'missing-required': {
      const required = [
        ...(concrete(op.body ?? {}).required ?? []).filter((k) => draft.body && typeof draft.body === 'object').map((k) => ['body', k] as const),
        ...op.params.filter((p) => p.in === 'query' && p.required).map((p) => ['query', p.name] as const),
      ];
      if (required.length > 0) {
        const [where, key] = pick(rng, required);
        if (where === 'body') delete (draft.body as Record<string, unknown>)[key];
        else delete draft.query[key];
        return true;
      }
      if (!op.body) return false;
      draft.body = undefined;
      return true;
    }
    case 'wrong-type':
      return onSlot(rng, op, draft, () => true, (s) => {
        const type = typeOf(s.schema);
        const json = type === 'string' ? pick(rng, [12345, true, { a: 1 }, ['x'], null]) : type === 'object' || type === 'array' ? pick(rng, ['text', 42, type === 'object' ? [1] : { a: 1 }]) : pick(rng, ['abc', true, { a: 1 }, [1], null]);
        const url = type === 'string' ? `a&${s.key[0]}=b` : pick(rng, ['abc', 'true', '[]', '']);
        set(draft, s, json, s.where === 'path' ? pick(rng, ['12345', 'not-a-uuid', '..']) : url);
      });
    case 'unknown-property': {
      if (!op.body) {
        draft.query.no_such_param = '1';
        return true;
      }
      const body = draft.body && typeof draft.body === 'object' ? (draft.body as Record<string, unknown>) : {};
      const extra = pick(rng, ['no_such_column', 'organization_id', 'id', 'owner_id', '__proto__', 'constructor']);
      const base = JSON.stringify(body).slice(1);
      const value = extra === '__proto__' || extra === 'constructor' ? '{"polluted":true,"prototype":{"polluted":true}}' : JSON.stringify(extra.endsWith('id') ? pick(rng, world.ids.org!) : 'x');
      draft.raw = `{"${extra}":${value}${base === '}' ? '' : ','}${base}`;
      return true;
    }
    case 'nul-byte':
      return onSlot(rng, op, draft, (s) => isString(s) || s.where !== 'body', (s) => set(draft, s, pick(rng, ['a\u0000b', '\u0000']), pick(rng, ['a%00b', '%00'])));
    case 'lone-surrogate':
      return onSlot(rng, op, draft, (s) => isString(s) || s.where !== 'body', (s) => set(draft, s, pick(rng, ['\ud800x', 'x\udfff', '\udbff']), pick(rng, ['%ED%A0%80', '%ED%BF%BF', '%uD800'])));
    case 'huge-number':
      return onSlot(rng, op, draft, (s) => isNumber(s) || s.where === 'query', (s) => set(draft, s, new Raw(pick(rng, ['1e999', '-1e999', '1e308', '9007199254740993'])), pick(rng, ['1e999', '99999999999999999999999'])));
    case 'negative-number':
      return onSlot(rng, op, draft, (s) => isNumber(s), (s) => set(draft, s, pick(rng, [-1, -2_147_483_649, -1e300]), pick(rng, ['-1', '-2147483649'])));
    case 'zero-number':
      return onSlot(rng, op, draft, (s) => isNumber(s), (s) => set(draft, s, 0, '0'));
    case 'decimal-number':
      return onSlot(rng, op, draft, (s) => typeOf(s.schema) === 'integer', (s) => set(draft, s, pick(rng, [1.5, '1500.00', '15', 1e-7]), pick(rng, ['1.5', '1500.00', '1e2'])));
    case 'over-long-string':
      return onSlot(rng, op, draft, (s) => isString(s) || s.where !== 'body', (s) => {
        const length = Math.min((concrete(s.schema).maxLength ?? 20_000) + 1, 60_000);
        set(draft, s, pick(rng, ['x', 'é', '😀']).repeat(length), 'x'.repeat(Math.min(length, 4_000)));
      });
    case 'upper-case-uuid':
      return onSlot(rng, op, draft, isUuid, (s) => {
        const current = currentOf(draft, s);
        const id = typeof current === 'string' && UUID.test(current) ? current : pick(rng, Object.values(world.ids).flat());
        set(draft, s, id.toUpperCase(), id.toUpperCase());
      });
    case 'random-uuid':
      return onSlot(rng, op, draft, isUuid, (s) => {
        const id = randomUuid(rng);
        set(draft, s, id, id);
      });
    case 'non-json-body':
      if (!hasBody) return false;
      draft.raw = pick(rng, ['{"a":', 'not json', '{"a":1}}', "{'a':1}", '', 'null', '[]', '"text"', '42']);
      draft.contentType = 'application/json';
      return true;
    case 'wrong-content-type':
      if (!hasBody) return false;
      draft.raw = JSON.stringify(draft.body ?? {});
      draft.contentType = pick(rng, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16']);
      return true;
    case 'deep-json':
      if (!hasBody) return false;
      draft.raw = deepJson(rng, firstKey);
      return true;
    case 'huge-json':
      if (!hasBody) return false;
      draft.raw = hugeJson(rng, firstKey);
      return true;
  }
}
