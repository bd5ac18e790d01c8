import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { phoneNormalizer } from '../src/api/phone.js';
import { bodyOperations, exampleProblems, readmeExamples, rowRoutes, routeKey } from './helpers/readme-examples.js';
import { call, startRuntime } from './helpers/runtime.js';

// Issue 16: README shows a request example for every body, and each one is
// accepted as written. Every operation the app documents with a JSON body,
// outside the seeds' /compat/ profiles, needs an example in README's "## API"
// section that validates against the body schema the app serves at
// /docs/json (closed objects: a field the schema does not name fails). The
// two forms an example may take, and how a row's routes are read, are in
// test/helpers/readme-examples.ts.

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** README writes phones in E.164, as the app stores them: "+79161234567", not "8 (916) 123-45-67". */
const normalize = phoneNormalizer(undefined);
const isE164 = (value: string) => normalize(value) === value;

t.test("a row's first cell names its routes, abbreviations resolved", async (t) => {
  t.same(rowRoutes('`PUT, PATCH /api/v1/clients/{id}`'), ['PUT /api/v1/clients/{}', 'PATCH /api/v1/clients/{}']);
  t.same(
    rowRoutes('`PATCH /api/v1/clients/{id}/full_name`, `/password`'),
    ['PATCH /api/v1/clients/{}/full_name', 'PATCH /api/v1/clients/{}/password'],
    'a bare tail replaces the last segment and keeps the methods',
  );
  t.same(
    rowRoutes('`GET /api/v1/organizations/{org}/members`, `PATCH, DELETE .../members/{user}`'),
    ['GET /api/v1/organizations/{}/members', 'PATCH /api/v1/organizations/{}/members/{}', 'DELETE /api/v1/organizations/{}/members/{}'],
    '"..." stands for the previous route up to the segment that follows it',
  );
  t.same(rowRoutes('`GET /api/v1/specialists/{id}/slots?date=&duration=` (or `from=&to=`, up to 7 days)'), ['GET /api/v1/specialists/{}/slots'], 'a query is not a route');
  t.same(rowRoutes('route'), [], 'the header row names none');
});

t.test('examples are read from rows after "e.g." and from http blocks, and checked', async (t) => {
  const document = {
    openapi: '3.0.3',
    paths: {
      '/api/v1/places/{place}': { patch: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Place' } } } } } },
      '/api/v1/organizations/{org}/places': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPlace' } } } } } },
      '/api/v1/places/{place}/notes': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['phone'], properties: { phone: { type: 'string', format: 'phone' } } } } } } } },
      '/compat/000/places': { post: { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } },
    },
    components: {
      schemas: {
        Place: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, additionalProperties: false },
        NewPlace: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, id: { type: 'string', format: 'uuid' } }, additionalProperties: false },
      },
    },
  };
  const operations = bodyOperations(document, (path) => !path.startsWith('/compat/'), isE164);
  t.same([...operations.keys()].sort(), ['PATCH /api/v1/places/{}', 'POST /api/v1/organizations/{}/places', 'POST /api/v1/places/{}/notes'], 'the /compat/ profiles are left out');
  const readme = (rows: string, blocks: string) => ['# X', '', '## API', '', '| route | who | what |', '|---|---|---|', rows, '', blocks, '', '## Next', '', '| `POST /api/v1/places/{id}/notes` | x | e.g. `{ "phone": "+79161234567" }` |'].join('\n');

  const complete = readme(
    '| `POST /api/v1/organizations/{org}/places`; `PATCH /api/v1/places/{place}` | owner | e.g. `{ "name": "Room 2" }` |',
    ['### Request bodies', '', '```http', '# a note', 'POST /api/v1/places/{id}/notes', '{', '  "phone": "+79161234567"', '}', '```'].join('\n'),
  );
  t.same(exampleProblems(readmeExamples(complete), operations), [], 'one row example may serve both routes of its row; a block serves its own');
  t.equal(readmeExamples(complete).length, 2, 'a row outside the "## API" section is not read');

  const wrong = readme(
    '| `POST /api/v1/organizations/{org}/places` | owner | e.g. `{ "name": "Room 2", "id": "<uuid>" }` or `{ name: 1 }` |\n| `PATCH /api/v1/places/{place}` | owner | e.g. `{ "title": "Room 2" }` |',
    ['```http', 'POST /api/v1/places/{id}/notes', '{ "phone": "8 (916) 123-45-67" }', '', 'POST /api/v1/places/{id}/note', '{}', '```'].join('\n'),
  );
  const problems = exampleProblems(readmeExamples(wrong), operations);
  t.match(problems, [
    /^README\.md:7: the example does not fit POST \/api\/v1\/organizations\/\{org\}\/places: \/id must match format "uuid"/,
    /^README\.md:7: not JSON/,
    /^README\.md:8: the example does not fit PATCH \/api\/v1\/places\/\{place\}: \(body\) must NOT have additional properties \(title\)/,
    /^README\.md:11: the example does not fit POST \/api\/v1\/places\/\{place\}\/notes: \/phone must match format "phone"/,
    /^README\.md:14: POST \/api\/v1\/places\/\{\}\/note takes no JSON body in the document/,
    /^PATCH \/api\/v1\/places\/\{place\}: no request example/,
    /^POST \/api\/v1\/organizations\/\{org\}\/places: no request example/,
    /^POST \/api\/v1\/places\/\{place\}\/notes: no request example/,
  ]);
  t.equal(problems.length, 8, 'each problem once, naming where it stands or the operation without an example');
});

t.test("README's API section has a valid request example for every JSON body the app documents", async (t) => {
  const runtime = await startRuntime(t);
  const document = (await call(runtime.app, 'GET', '/docs/json')).body;
  const operations = bodyOperations(document, (path) => !path.startsWith('/compat/'), isE164);
  t.ok(operations.has(routeKey('POST', '/api/v1/organizations/{org}/appointments')), 'the document is read (booking takes a body)');
  const problems = exampleProblems(readmeExamples(await readFile(README, 'utf8')), operations);
  for (const problem of problems) t.fail(problem);
  t.equal(problems.length, 0, 'every body has a fitting example');
});
