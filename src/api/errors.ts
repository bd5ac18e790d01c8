import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Overloaded } from '../auth/passwords.js';
import { DomainError, type DomainErrorKind } from '../commands/errors.js';
import { MINOR_UNITS } from './schemas.js';
import { UNSTORABLE } from './validation.js';
import { isOutage, OUTAGE_RETRY_AFTER_SECONDS } from '../store/outages.js';

/**
 * The one place where errors become HTTP replies, in the format of
 * docs/architecture.md: `{ detail, errors? }`. Texts of 401 and 403 are the ones
 * the seed frontends rely on.
 */
export const NOT_AUTHENTICATED = 'Authentication credentials were not provided.';
export const FORBIDDEN = 'You do not have permission to perform this action.';

/**
 * The command succeeded but its read model has not caught up within the
 * read-your-writes wait: the reply is 202 with the id, never a 5xx, since
 * nothing failed.
 */
export class NotVisibleYet extends Error {
  override readonly name = 'NotVisibleYet';
  /** `location`: where the caller reads the resource once it is visible. */
  constructor(readonly id: string, readonly location?: string) {
    super('The change is saved and will be visible in a moment.');
  }
}

const statusOf: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
};

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  /** With ajv's `verbose` (src/api/validation.ts): the schema holding the keyword, and the value. */
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

function fieldOf(error: AjvError): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  // A missing or an unknown field is named itself, not the object around it.
  const named =
    error.keyword === 'required' ? error.params.missingProperty
    : error.keyword === 'additionalProperties' ? error.params.additionalProperty
    : undefined;
  if (named !== undefined) return path ? `${path}.${String(named)}` : String(named);
  return path || 'non_field_errors';
}

/** "1500.00" or 1500.5 as the integer it should have been (two decimals, as most currencies have). */
function minorUnitsMessage(sent: unknown): string {
  const amount = typeof sent === 'string' || typeof sent === 'number' ? Number(sent) : Number.NaN;
  const example = Number.isFinite(amount) && amount >= 0 && amount < 1e13 ? [Math.round(amount * 100), String(sent)] : [150000, '1500.00'];
  return `Amounts are integers in minor units (kopecks, cents): send ${example[0]} for ${example[1]}, as a JSON number.`;
}

const COMPARISONS: Record<string, string> = { '>=': 'greater than or equal to', '>': 'greater than', '<=': 'less than or equal to', '<': 'less than' };

function messageOf(error: AjvError): string {
  const p = error.params;
  if (error.parentSchema?.[MINOR_UNITS] === true && (error.keyword === 'type' || error.keyword === 'multipleOf')) return minorUnitsMessage(error.data);
  switch (error.keyword) {
    case 'required':
      return 'This field is required.';
    case 'minLength':
      return Number(p.limit) === 1 ? 'This field may not be blank.' : `Ensure this field has at least ${String(p.limit)} characters.`;
    case 'maxLength':
      return `Ensure this field has no more than ${String(p.limit)} characters.`;
    case 'format':
      return ({
        phone: 'Enter a valid phone number.',
        email: 'Enter a valid email address.',
        date: 'Date has wrong format. Use YYYY-MM-DD.',
        uuid: 'Must be a valid UUID.',
      } as Record<string, string>)[String(p.format)] ?? `Must match format "${String(p.format)}".`;
    case 'type':
      return `Must be of type ${String(p.type)}.`;
    case 'enum':
      return `Must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}.`;
    case 'additionalProperties': {
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const patterns = Object.keys((error.parentSchema?.patternProperties as object | undefined) ?? {});
      if (known.length > 0) return `Unknown field: expected only ${known.join(', ')}.`;
      return patterns.length > 0 ? `Unknown field: names here match ${patterns.join(' or ')}.` : 'Unknown field: none is expected here.';
    }
    case UNSTORABLE:
      return p.kind === 'number' ? 'Must be a finite number.' : 'Must not contain a NUL character (\\u0000) or an unpaired surrogate (\\ud800-\\udfff).';
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return `Ensure this value is ${COMPARISONS[String(p.comparison)] ?? String(p.comparison)} ${String(p.limit)}.`;
    default:
      return error.message ? `${error.message[0]?.toUpperCase() ?? ''}${error.message.slice(1)}.` : 'Invalid value.';
  }
}

/** Every invalid or missing field at once, DRF style. */
export function fieldErrors(validation: readonly AjvError[]): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const error of validation) {
    if (error.keyword === 'if' || error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const list = (errors[fieldOf(error)] ??= []);
    const message = messageOf(error);
    if (!list.includes(message)) list.push(message);
  }
  return errors;
}

/**
 * Errors the router meets before any route or hook runs (Fastify's
 * `frameworkErrors`): a malformed percent-encoding, an over-long path
 * segment. Same format as every other error, and the URL is not echoed.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void reply.code(414).send({ detail: 'A path segment is too long.' });
  else void reply.code(400).send({ detail: 'The URL is not valid: check its percent-encoding.' });
}

/** An error as the API answers it: the status, the body in the `{ detail, errors? }` format, and headers. */
export interface ErrorAnswer {
  readonly status: number;
  readonly body: { readonly detail: string; readonly errors?: Record<string, string[]>; readonly id?: string };
  readonly headers: Readonly<Record<string, string>>;
  /** What failed, as the error said it (a domain error's kind, a validation, a Fastify code), for formats that word it their own way. */
  readonly cause: 'validation' | 'body_not_object' | 'media_type' | 'json' | DomainErrorKind | 'outage' | 'overloaded' | 'not_visible' | 'internal' | 'framework';
}

/** The one translation of a thrown error into an answer; the seeds' profiles (src/api/compat/) reword it, never decide it again. */
export function errorAnswer(error: FastifyError & { validation?: AjvError[] }, request: FastifyRequest): ErrorAnswer {
  // Too much password work queued: turned away before anything changed.
  if (error instanceof Overloaded) return { status: 503, body: { detail: error.message }, headers: { 'retry-after': String(error.retryAfterSeconds) }, cause: 'overloaded' };
  if (error instanceof NotVisibleYet) {
    request.log.warn({ id: error.id }, 'read model lagging: answered 202');
    const headers: Record<string, string> = { 'retry-after': '1', ...(error.location ? { location: error.location } : {}) };
    return { status: 202, body: { detail: error.message, id: error.id }, headers, cause: 'not_visible' };
  }
  if (error instanceof DomainError) {
    const headers: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
    return { status: statusOf[error.kind], body: error.fields ? { detail: error.message, errors: error.fields } : { detail: error.message }, headers, cause: error.kind };
  }
  if (error.validation) {
    const bodyNotObject = error.validation.some((e) => e.instancePath === '' && e.keyword === 'type');
    if (bodyNotObject && error.validationContext === 'body') return { status: 400, body: { detail: 'The request body must be a JSON object.' }, headers: {}, cause: 'body_not_object' };
    return { status: 400, body: { detail: 'Invalid input.', errors: fieldErrors(error.validation) }, headers: {}, cause: 'validation' };
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const detail = `Unsupported media type "${request.headers['content-type'] ?? ''}": this API accepts only application/json.`;
    return { status: 415, body: { detail }, headers: {}, cause: 'media_type' };
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return { status: 400, body: { detail: 'The request body is not valid JSON.' }, headers: {}, cause: 'json' };
  if (isOutage(error)) {
    request.log.warn({ err: error }, 'a dependency is unreachable: answered 503');
    const detail = 'The service is temporarily unavailable; try again shortly.';
    return { status: 503, body: { detail }, headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) }, cause: 'outage' };
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return { status: 500, body: { detail: 'Internal Server Error' }, headers: {}, cause: 'internal' };
  }
  // Fastify's own 4xx (body too large, empty JSON body, too many requests...): its message is safe to show.
  return { status, body: { detail: error.message }, headers: {}, cause: status === 429 ? 'too_many_requests' : 'framework' };
}

/** How a scope words its answers; /api/v1 sends them as they are. */
export type ErrorFormat = (answer: ErrorAnswer, request: FastifyRequest) => { readonly status: number; readonly body: unknown };

const AS_IS: ErrorFormat = (answer) => answer;

/** The not-found answer every scope words in its format. */
export const NOT_FOUND_ANSWER: ErrorAnswer = { status: 404, body: { detail: 'Not found.' }, headers: {}, cause: 'not_found' };

/** The error and not-found handlers of a scope: /api/v1 and the operations routes as they are, each seed profile in its format. */
export function registerErrorHandling(app: FastifyInstance, format: ErrorFormat = AS_IS): void {
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = format(NOT_FOUND_ANSWER, request);
    return reply.code(status).send(body);
  });
  app.setErrorHandler((error: FastifyError & { validation?: AjvError[] }, request, reply) => {
    const answer = errorAnswer(error, request);
    const { status, body } = format(answer, request);
    return reply.code(status).headers(answer.headers).send(body);
  });
}
