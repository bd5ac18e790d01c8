import { Ajv, type ErrorObject, type Options } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler, RouteOptions } from 'fastify';
import { LOWERCASE, MINOR_UNITS } from './schemas.js';

// How request input is validated, in one place (issue 11, "Input"):
// - every object a request schema names is closed: a property it does not
//   name is a 400 naming it (mass assignment, poison events);
// - a JSON body is taken as sent: no type is converted ("10" is not 10, null
//   is not ""); the query string and the path are text on the wire, so their
//   numbers and booleans are converted;
// - no string anywhere (body, query, path; keys too) carries a NUL or an
//   unpaired surrogate, which PostgreSQL's JSON cannot store;
// - every number a request may carry has bounds (checked when a route is
//   declared) and is finite, so none overflows a column or a query;
// - ids (the `Uuid` schema) come in any case and leave validation in lower case.

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** ajv-formats' uuid also takes a "urn:uuid:" prefix: an id is the 36 characters alone. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A NUL, or half of a surrogate pair without its other half. */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The keyword of the errors below; errors.ts words them by `params.kind` (text or number). */
export const UNSTORABLE = 'storable';

type Part = 'body' | 'querystring' | 'params' | 'headers';

function validatorFor(part: Part, isPhone: (value: string) => boolean): Ajv {
  const options: Options = {
    allErrors: true,
    verbose: true, // errors carry their schema, so errors.ts can word money and unknown fields
    useDefaults: true,
    removeAdditional: false,
    coerceTypes: part === 'body' ? false : 'array',
  };
  const ajv = addFormats(new Ajv(options));
  ajv.addFormat('phone', isPhone);
  ajv.addFormat('uuid', UUID);
  ajv.addKeyword({ keyword: MINOR_UNITS, schemaType: 'boolean' }); // an annotation, read by errors.ts
  ajv.addKeyword({
    keyword: LOWERCASE,
    type: 'string',
    schemaType: 'boolean',
    modifying: true,
    errors: false,
    validate: (lower: boolean, data: string, _schema?: unknown, cxt?: DataValidationCxt) => {
      if (lower && cxt) (cxt.parentData as Record<string | number, unknown>)[cxt.parentDataProperty] = data.toLowerCase();
      return true;
    },
  });
  return ajv;
}

/**
 * Errors for every string (value or key) and every number that cannot be
 * stored, at its path; iterative, so deep input cannot overflow the stack.
 * Numbers: ajv converts "1e999" in a query to Infinity and then skips
 * `maximum` for it, so bounds alone do not keep it out.
 */
export function unstorable(data: unknown): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const pending: [unknown, string][] = [[data, '']];
  const found = (instancePath: string, kind: 'text' | 'number') => errors.push({ keyword: UNSTORABLE, instancePath, schemaPath: '', params: { kind } });
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (UNSTORABLE_TEXT.test(value)) found(path, 'text');
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) found(path, 'number');
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push([item, `${path}/${index}`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const at = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (UNSTORABLE_TEXT.test(key)) found(at, 'text');
        pending.push([item, at]);
      }
    }
  }
  return errors.reverse();
}

/** Fastify's validator compiler: one ajv per HTTP part, and the text check after each. */
function requestValidatorCompiler(isPhone: (value: string) => boolean): FastifySchemaCompiler<unknown> {
  const validators = new Map<Part, Ajv>();
  return ({ schema, httpPart }) => {
    const part = (httpPart ?? 'body') as Part;
    let ajv = validators.get(part);
    if (!ajv) validators.set(part, (ajv = validatorFor(part, isPhone)));
    const validate = ajv.compile(schema as object);
    const check = (data: unknown, cxt?: DataValidationCxt) => {
      const valid = validate(data, cxt);
      const text = unstorable(data);
      check.errors = valid && text.length === 0 ? null : [...(validate.errors ?? []), ...text];
      return check.errors === null;
    };
    check.errors = null as ErrorObject[] | null;
    // Fastify gives ajv functions the request as the parent, so a keyword may replace a whole part.
    return Object.assign(check, { schemaEnv: validate.schemaEnv }) as unknown as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

type JsonSchema = Record<string, unknown>;
const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

const CONVERTED = 'Text in the URL, converted to a number or boolean.';
const AS_SENT =
  'A JSON object, taken as sent: no type is converted (a number is a JSON number, never "10"; null only where a field says so; money in integer minor units). A field not listed here is refused (400).';

/**
 * A copy of a request schema in which every object with named properties
 * refuses others, and whose numbers are bounded (or the route does not
 * start). Query and path numbers and booleans say they are converted.
 */
function closedCopy(schema: unknown, where: string, part: Part): unknown {
  if (Array.isArray(schema)) return schema.map((item, i) => closedCopy(item, `${where}[${i}]`, part));
  if (!isSchema(schema)) return schema;
  const copy: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key === 'properties' && isSchema(value)
      ? Object.fromEntries(Object.entries(value).map(([name, property]) => [name, closedCopy(property, `${where}.${name}`, part)]))
      : closedCopy(value, where, part);
  }
  // A map (patternProperties) is closed too: a key its pattern refuses would otherwise pass with any value.
  if ((isSchema(copy.properties) || isSchema(copy.patternProperties)) && copy.additionalProperties === undefined) copy.additionalProperties = false;
  if (copy.type === 'integer' || copy.type === 'number') {
    const bounded = (copy.minimum ?? copy.exclusiveMinimum) !== undefined && (copy.maximum ?? copy.exclusiveMaximum) !== undefined;
    if (!bounded) throw new Error(`${where} is a number without a minimum and a maximum: give it bounds a column can hold`);
  }
  if (part !== 'body' && ['integer', 'number', 'boolean'].includes(String(copy.type))) {
    copy.description = copy.description ? `${String(copy.description)} ${CONVERTED}` : CONVERTED;
  }
  return copy;
}

function closeRouteSchemas(route: RouteOptions): void {
  const name = `${String(route.method)} ${route.url}`;
  const schema = route.schema as Record<Part, unknown> | undefined;
  // A path parameter without a schema would reach its handler unchecked and in the caller's case.
  if (/\/:\w/.test(route.url) && !schema?.params) throw new Error(`${name}: its path parameters have no schema`);
  if (!schema) return;
  // Not headers: a request always carries headers no schema names (host, user-agent...).
  for (const part of ['body', 'querystring', 'params'] as const) {
    if (schema[part] === undefined) continue;
    const copy = closedCopy(schema[part], `${name} ${part}`, part) as JsonSchema;
    if (part === 'body' && copy.type === 'object') copy.description = copy.description ? `${String(copy.description)} ${AS_SENT}` : AS_SENT;
    schema[part] = copy;
  }
}

/** Registers the rules above on the app, before any route. */
export function strictInput(app: FastifyInstance, options: { isPhone: (value: string) => boolean }): void {
  app.setValidatorCompiler(requestValidatorCompiler(options.isPhone));
  app.addHook('onRoute', closeRouteSchemas);
}
