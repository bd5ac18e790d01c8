import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { referencing } from './components.js';
import { sample, type OpenApiSchema } from './examples.js';
import { OPERATION_IDS } from './operation-ids.js';

// What every operation of the OpenAPI document says without each route
// saying it: done here, once, so a route added tomorrow is documented the same
// way (test/openapi/document.test.ts and lint.test.ts hold every operation to it).
//
// - resources appear as references to their named schemas (components.ts);
// - the operationId, when the route names none (operation-ids.ts);
// - the refusals any such operation can meet: 400 when it takes input, 415
//   when it takes a body, 401 and 403 when it needs a token, 404 when its path
//   names something, 503 on every operation but liveness and metrics (load
//   shedding, an unavailable dependency); worded in the operation's own error
//   format (a seed's profile answers in its seed's words), 429 and 503 with
//   their `Retry-After` header;
// - a description for every response, and an example for every body.
//
// Only the document changes: validation and serialization use the routes' own schemas.

interface MediaType {
  schema?: OpenApiSchema;
  example?: unknown;
  examples?: Record<string, unknown>;
}
interface Response {
  description: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, { description: string; schema: OpenApiSchema }>;
}
interface Parameter {
  in: string;
}
interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
  security?: Record<string, string[]>[];
}
interface Document {
  servers?: { url: string; description?: string }[];
  info: { license?: { name: string; url?: string } };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, OpenApiSchema & { description?: string }> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const DEFAULT_DESCRIPTION = 'Default Response';
const ERROR_COMPONENT = '#/components/schemas/Error';

/** What each refusal means, for any operation that can meet it. */
export const REFUSALS: Readonly<Record<string, string>> = {
  400: 'Invalid input: the answer names each refused field.',
  401: 'No valid access token: missing, expired, or of a session that ended.',
  403: 'The token is valid, but its holder may not do this.',
  404: 'Not found, or not visible to the caller.',
  409: 'Conflicts with the current state (see the operation’s summary).',
  413: 'The body is too large.',
  415: 'The body is not in a media type this operation takes (JSON: `Content-Type: application/json`).',
  422: 'The request cannot be carried out as it stands.',
  429: 'Too many requests: `Retry-After` says when to try again.',
  503: 'Overloaded, or a service it needs is unavailable: `Retry-After` says when to try again.',
};

// Never shed (src/observability/load-shedding.ts), and needing nothing but the process.
const ALWAYS_ANSWERED: ReadonlySet<string> = new Set(['/health/live', '/metrics']);
const RETRY_AFTER = { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } as const;

/** The refusals an operation can meet by its shape alone. */
export function derivedRefusals(operation: Operation, path: string): string[] {
  const codes: string[] = [];
  if ((operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined) codes.push('400');
  if (operation.requestBody !== undefined) codes.push('415');
  if ((operation.security ?? []).some((requirement) => Object.keys(requirement).length > 0)) codes.push('401', '403');
  if (path.includes('{')) codes.push('404');
  if (!ALWAYS_ANSWERED.has(path)) codes.push('503');
  return codes;
}

/** The error body of this operation: the one its declared refusals use, or the API's `Error`. */
function errorContent(responses: Record<string, Response>): Record<string, MediaType> {
  const declared = Object.entries(responses).filter(([code, response]) => code.startsWith('4') && response.content !== undefined);
  // A 400 may be shaped apart (DRF's field lists), so another refusal's shape is the better guess.
  const [, chosen] = declared.find(([code]) => code !== '400') ?? declared[0] ?? [];
  const content = chosen?.content ?? { 'application/json': { schema: { $ref: ERROR_COMPONENT } } };
  return Object.fromEntries(Object.entries(content).map(([type, media]) => [type, media.schema === undefined ? {} : { schema: media.schema }]));
}

function successDescription(code: string, operation: Operation, media: MediaType | undefined, document: Document): string {
  if (code === '204' || media === undefined) return 'Done; nothing is returned.';
  const ref = media.schema?.$ref ?? media.schema?.items?.$ref;
  const component = ref === undefined ? undefined : document.components?.schemas?.[ref.slice('#/components/schemas/'.length)];
  if (component?.description !== undefined) return media.schema?.$ref !== undefined ? component.description : `A list; each: ${component.description}`;
  return operation.summary ?? 'Done.';
}

function describe(operation: Operation, path: string, document: Document): void {
  const responses = (operation.responses ??= {});
  const errorDescription = document.components?.schemas?.Error?.description;
  for (const code of derivedRefusals(operation, path)) {
    responses[code] ??= { description: REFUSALS[code]!, content: errorContent(responses) };
  }
  for (const [code, response] of Object.entries(responses)) {
    const generic = response.description === DEFAULT_DESCRIPTION || response.description === errorDescription;
    if (!generic) continue;
    const media = Object.values(response.content ?? {})[0];
    response.description = code.startsWith('2') ? successDescription(code, operation, media, document) : (REFUSALS[code] ?? 'Refused.');
  }
  for (const code of ['429', '503']) if (responses[code]) responses[code].headers ??= { 'Retry-After': RETRY_AFTER };
}

function exemplify(content: Record<string, MediaType> | undefined, components: Record<string, OpenApiSchema>): void {
  for (const media of Object.values(content ?? {})) {
    if (media.example !== undefined || media.examples !== undefined || media.schema === undefined) continue;
    media.example = sample(media.schema, components);
  }
}

/** The per-route step: resources by reference to their named schemas. */
export const transform: SwaggerTransform = ({ schema, url }) => {
  if (!schema || !('response' in schema) || schema.response === undefined) return { schema, url };
  return { schema: { ...schema, response: referencing(schema.response) as typeof schema.response }, url };
};

/** The whole-document step: operationIds, refusals, descriptions, examples. */
export function completeDocument(document: Document): Document {
  const components = (document.components?.schemas ?? {}) as Record<string, OpenApiSchema>;
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      operation.operationId ??= OPERATION_IDS[`${method.toUpperCase()} ${path}`];
      describe(operation, path, document);
      exemplify(operation.requestBody?.content, components);
      for (const response of Object.values(operation.responses ?? {})) exemplify(response.content, components);
    }
  }
  return document;
}

export const transformObject: SwaggerTransformObject = (documentObject) =>
  completeDocument(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as unknown as Document) as never;
