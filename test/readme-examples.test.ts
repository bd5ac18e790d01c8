import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { phoneNormalizer } from '../src/api/phone.js';
import { curlExamples, shellWords, SOME_ID } from './helpers/readme-curl.js';
import { bodyOperations, exampleProblems, readmeExamples, rowRoutes, routeKey } from './helpers/readme-examples.js';
import { call, startRuntime } from './helpers/runtime.js';

// Issue 16: README shows a request example for every body, and each one is
// accepted as written. Every operation the app documents with a JSON body,
// outside the seeds' /compat/ profiles, needs an example in README's "## API"
// section that validates against the body schema the app serves at
// /docs/json (closed objects: a field the schema does not name fails). The
// two forms an example may take, and how a row's routes are read, are in
// test/helpers/readme-examples.ts. The seeds' sections show curl commands
// instead (test/helpers/readme-curl.ts): each body they send must fit too.

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** README writes phones in E.164, as the app stores them: "+79161234567", not "8 (916) 123-45-67". */
const normalize = phoneNormalizer(undefined);
const isE164 = (value: string) => normalize(value) === value;
/** The seeds' examples write phones as each seed does; the app reads a national number in its default region (RU). */
const normalizeRu = phoneNormalizer('RU');
const isPhone = (value: string) => normalizeRu(value) !== undefined;

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

t.test("the seeds' curl commands are read as sh reads them", async (t) => {
  const bases = new Map([['C', 'localhost:3000/compat/000/clients']]);
  t.same(shellWords(`curl -s -X POST $C/client-c/ -H "$J" -d '{"organization": ["'$ORG'"], "name": "A"}'  # 201`, bases), [
    'curl', '-s', '-X', 'POST', 'localhost:3000/compat/000/clients/client-c/', '-H', SOME_ID, '-d', `{"organization": ["${SOME_ID}"], "name": "A"}`,
  ], 'quotes join, variables outside single quotes expand, a comment ends the line');
  const readme = [
    "## The seeds' own APIs",
    '```sh',
    "C=localhost:3000/compat/002/api/v1; J='content-type: application/json'",
    'curl -s $C/workers/login/ -d username=owner@clinic.example -d password=secret123',
    "curl -s -X PUT $C/workers/$WORKER/ -H \"$J\" \\",
    "  -d '{\"name\": \"Dr. Ivanova\"}'",
    'curl -s $C/workers/$WORKER/',
    "curl -s -X GET $C/workers/ -H 'content-type: application/json' -d '{}'",
    '```',
  ].join('\n');
  t.same(curlExamples(readme, ['/compat/002/api/v1/workers/{id}/', '/compat/002/api/v1/workers/login/']), [
    { at: 'README.md:4', routes: ['POST /compat/002/api/v1/workers/login/'], anyOf: false, json: '{"username":"owner@clinic.example","password":"secret123"}' },
    { at: 'README.md:5', routes: ['PUT /compat/002/api/v1/workers/{}/'], anyOf: false, json: '{"name": "Dr. Ivanova"}' },
  ], 'a form is read as its fields; a continued line is one command; a GET body and a bodiless call are no examples');
});

t.test('README against the document the app serves', async (t) => {
  const runtime = await startRuntime(t);
  const document = (await call(runtime.app, 'GET', '/docs/json')).body as { paths: Record<string, unknown> };
  const readme = await readFile(README, 'utf8');

  t.test("README's API section has a valid request example for every JSON body the app documents", async (t) => {
    const operations = bodyOperations(document, (path) => !path.startsWith('/compat/'), isE164);
    t.ok(operations.has(routeKey('POST', '/api/v1/organizations/{org}/appointments')), 'the document is read (booking takes a body)');
    const problems = exampleProblems(readmeExamples(readme), operations);
    for (const problem of problems) t.fail(problem);
    t.equal(problems.length, 0, 'every body has a fitting example');
  });

  t.test("every seed's body is shown by a curl command in its section, and fits", async (t) => {
    const operations = bodyOperations(document, (path) => path.startsWith('/compat/'), isPhone);
    t.ok(operations.has(routeKey('POST', '/compat/004/auth/api/verify/')), 'the seeds are in the document');
    const problems = exampleProblems(curlExamples(readme, Object.keys(document.paths)), operations, "as a curl command in its seed's section");
    for (const problem of problems) t.fail(problem);
    t.equal(problems.length, 0, 'every seed body shown fits');
  });
});
