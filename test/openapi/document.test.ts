import t from 'tap';
import { OPERATION_IDS } from '../../src/api/openapi/operation-ids.js';
import { operationsOf, servedDocument, type MediaType } from '../helpers/openapi-document.js';

// What a team generating a client from /docs/json relies on, for every
// operation (new ones included): a unique operationId fit for a method name,
// named resource schemas, security stated, refusals documented, and an example
// of every body.

const hasExample = (media: MediaType) => media.example !== undefined || (media.examples !== undefined && Object.keys(media.examples).length > 0);

t.test('every operation of the served document', async (t) => {
  const { document } = await servedDocument(t);
  const operations = operationsOf(document);
  t.ok(operations.length >= 140, `${operations.length} operations`);

  t.test('has a unique operationId, a camelCase verb and noun', async (t) => {
    const ids = operations.map(([, operation]) => operation.operationId);
    t.same(operations.filter(([, operation]) => operation.operationId === undefined).map(([name]) => name), [], 'none without');
    t.same(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'none twice');
    t.same(ids.filter((id) => !/^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/.test(id ?? '')), [], 'each camelCase, of two words or more');
    const documented = new Set(operations.map(([name]) => name));
    t.same(Object.keys(OPERATION_IDS).filter((name) => !documented.has(name)), [], 'no name in src/api/openapi/operation-ids.ts is of a route that is gone');
  });

  t.test('says its security: `[]` when public, a bearer token otherwise', async (t) => {
    t.same(operations.filter(([, operation]) => operation.security === undefined).map(([name]) => name), [], 'none leaves it to a default');
    const publicOnes = operations.filter(([, operation]) => operation.security?.length === 0).map(([name]) => name);
    for (const name of ['POST /api/v1/auth/register', 'POST /api/v1/auth/token', 'GET /api/v1/specialists/{id}', 'GET /health/live', 'GET /.well-known/jwks.json']) {
      t.ok(publicOnes.includes(name), `${name} is public`);
    }
    t.same(document.paths['/api/v1/organizations/{org}/appointments']?.post?.security, [{ bearer: [] }], 'booking needs a token');
  });

  t.test('documents its refusals: 415 with a body, 400 with input, 401 and 403 with a token, 503 with Retry-After', async (t) => {
    const missing = (code: string, when: (name: string, operation: (typeof operations)[number][1]) => boolean) =>
      operations.filter(([name, operation]) => when(name, operation) && operation.responses[code] === undefined).map(([name]) => name);
    t.same(missing('415', (_, op) => op.requestBody !== undefined), [], 'every body-taking operation: 415');
    t.same(missing('400', (_, op) => op.requestBody !== undefined || (op.parameters?.length ?? 0) > 0), [], 'every operation with input: 400');
    const authenticated = (_: string, op: (typeof operations)[number][1]) => (op.security ?? []).some((requirement) => 'bearer' in requirement);
    t.same(missing('401', authenticated), [], 'every operation needing a token: 401');
    t.same(missing('403', authenticated), [], 'and 403');
    t.same(operations.filter(([, op]) => !Object.keys(op.responses).some((code) => code.startsWith('4'))).map(([name]) => name), [], 'none without a 4xx');
    const sheddable = (name: string) => !['GET /health/live', 'GET /metrics'].includes(name);
    t.same(missing('503', sheddable), [], 'every operation load shedding or an outage can refuse: 503');
    const withoutRetryAfter = operations.flatMap(([name, op]) => ['429', '503'].filter((code) => op.responses[code] && !op.responses[code]!.headers?.['Retry-After']).map((code) => `${name} ${code}`));
    t.same(withoutRetryAfter, [], '429 and 503 say Retry-After');
  });

  t.test('describes every response, none as "Default Response"', async (t) => {
    const vague = operations.flatMap(([name, op]) => Object.entries(op.responses).filter(([, r]) => !r.description || r.description === 'Default Response').map(([code]) => `${name} ${code}`));
    t.same(vague, []);
  });

  t.test('has an example of every request body and every response body', async (t) => {
    const bodies = operations.flatMap(([name, op]) => [
      ...Object.entries(op.requestBody?.content ?? {}).map(([type, media]) => [`${name} request ${type}`, media] as const),
      ...Object.entries(op.responses).flatMap(([code, response]) => Object.entries(response.content ?? {}).map(([type, media]) => [`${name} ${code} ${type}`, media] as const)),
    ]);
    t.ok(bodies.length > 500, `${bodies.length} bodies`);
    t.same(bodies.filter(([, media]) => !hasExample(media)).map(([where]) => where), [], 'none without an example');
  });
});

t.test('the resources are named schemas, referenced where they are answered', async (t) => {
  const { document } = await servedDocument(t);
  const resources = ['Error', 'Client', 'ClientRecord', 'Appointment', 'Organization', 'Member', 'Invitation', 'Specialist', 'Place', 'Service', 'WorkingHours', 'Slot', 'WaitlistEntry', 'SessionTokens'];
  t.same(resources.filter((name) => document.components.schemas[name] === undefined), [], 'each is in components.schemas');
  const ref = (path: string, method: string, code: string) => document.paths[path]?.[method]?.responses[code]?.content?.['application/json']?.schema?.$ref;
  t.equal(ref('/api/v1/appointments/{id}', 'get', '200'), '#/components/schemas/Appointment');
  t.equal(ref('/api/v1/auth/token', 'post', '200'), '#/components/schemas/SessionTokens');
  t.equal(ref('/api/v1/services/{service}', 'get', '200'), '#/components/schemas/Service');
  t.equal(ref('/api/v1/places/{place}', 'get', '400'), '#/components/schemas/Error');
});

t.test('the operations endpoints are typed: /metrics as Prometheus text, the JWKS as a key set', async (t) => {
  const { runtime, document } = await servedDocument(t);
  const metrics = document.paths['/metrics']?.get?.responses['200']?.content ?? {};
  t.same(Object.keys(metrics), ['text/plain; version=0.0.4; charset=utf-8'], '/metrics answers Prometheus text');
  const scraped = await runtime.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(scraped.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8', 'as documented');
  t.match(scraped.body, /^# HELP /m, 'unchanged by the schema: text, not a JSON string');

  const jwks = document.paths['/.well-known/jwks.json']?.get?.responses['200'];
  t.ok(jwks?.content?.['application/json']?.schema, 'the JWKS has a schema');
  const served = await runtime.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  t.same(served.json(), runtime.deps.tokens.jwks(), 'the key set is served whole: the schema drops no member');
  t.equal((await runtime.app.inject({ method: 'GET', url: '/.well-known/jwks.json?x=1' })).statusCode, 400, 'an unnamed query parameter is refused, as documented');
  t.equal((await runtime.app.inject({ method: 'GET', url: '/health/live?x=1' })).statusCode, 400, 'here too');
  t.equal((await runtime.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
});
