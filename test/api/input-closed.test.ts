import Fastify from 'fastify';
import t from 'tap';
import Type from 'typebox';
import { strictInput } from '../../src/api/validation.js';
import { eventCount } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { clinic, everyDay, place, specialist } from '../helpers/scheduling.js';
import { organizationOf } from '../helpers/staff.js';

/** A busy machine (tests run beside others) may take longer than the default 2 s to project a write. */
const PATIENT = { READ_YOUR_WRITES_TIMEOUT_MS: '20000' };

// Issue 11, mass assignment: every request schema refuses the properties it
// does not name (body, query, path; nested objects too), with a 400 naming
// them, and nothing is appended.

t.test('PATCH /places/{id} cannot move a place to another organization nor write a column that does not exist', async (t) => {
  const runtime = await startRuntime(t, { env: PATIENT });
  const { app } = runtime;
  const home = await clinic(runtime, 'Home');
  const other = await organizationOf(runtime, home.owner, 'Other');
  const placeId = await place(runtime, home, 'Room 1');

  for (const body of [{ organization_id: other }, { no_such_column: 'x' }, { name: 'Renamed', organization_id: other }]) {
    const before = await eventCount(runtime);
    const reply = await call(app, 'PATCH', `/api/v1/places/${placeId}`, { token: home.owner.token, body });
    t.equal(reply.status, 400, `${JSON.stringify(body)} is refused`);
    const unknown = Object.keys(body).filter((key) => key !== 'name');
    t.same(Object.keys(reply.body.errors), unknown, 'the errors name the unknown fields, and only them');
    for (const key of unknown) t.match(reply.body.errors[key][0], /^Unknown field: expected only name, address, description\.$/);
    t.equal(await eventCount(runtime), before, 'no event is appended');
  }
  const read = await call(app, 'GET', `/api/v1/places/${placeId}`, { token: home.owner.token });
  t.equal(read.body.organization_id, home.org, 'the place stays in its organization');
  t.equal(read.body.name, 'Room 1', 'a known field sent beside an unknown one is not applied either');
  const theirs = await call(app, 'GET', `/api/v1/organizations/${other}/places`, { token: home.owner.token });
  t.same(theirs.body, [], 'the other organization got no place');
});

t.test('PATCH /organizations/{id} stores no arbitrary JSON; nested objects are closed too', async (t) => {
  const runtime = await startRuntime(t, { env: PATIENT });
  const { app } = runtime;
  const home = await clinic(runtime, 'Home');

  const before = await eventCount(runtime);
  const arbitrary = await call(app, 'PATCH', `/api/v1/organizations/${home.org}`, { token: home.owner.token, body: { description: 'ok', owner_id: home.manager.id, settings: { admin: true } } });
  t.equal(arbitrary.status, 400);
  t.same(Object.keys(arbitrary.body.errors).sort(), ['owner_id', 'settings']);
  t.equal(await eventCount(runtime), before, 'no event is appended');
  const read = await call(app, 'GET', `/api/v1/organizations/${home.org}`, { token: home.owner.token });
  t.equal(read.body.description, '', 'the known field beside them is not applied');
  t.notOk('settings' in read.body);

  // Labels are a map by design: any label, but a label's value is text.
  const labels = await call(app, 'PATCH', `/api/v1/organizations/${home.org}`, { token: home.owner.token, body: { numbers: { reception: '+79990000000' } } });
  t.equal(labels.status, 200, 'a map of labels still takes the labels it is sent');
  t.same(labels.body.numbers, { reception: '+79990000000' });
  // ...but only names its pattern takes: a name it refuses was an open door for any value (a number, an object).
  const long = 'x'.repeat(65);
  for (const [key, value] of [['two\nlines', 12345], [long, 'text'], ['', 'text']] as const) {
    const count = await eventCount(runtime);
    const odd = await call(app, 'PATCH', `/api/v1/organizations/${home.org}`, { token: home.owner.token, body: { links: { [key]: value } } });
    t.equal(odd.status, 400, `a label ${JSON.stringify(key)} is refused`);
    t.match(odd.body.errors[`links.${key}`], [/^Unknown field: names here match/], JSON.stringify(odd.body));
    t.equal(await eventCount(runtime), count, 'no event is appended');
  }

  // An object inside an array, and an object inside an object.
  const doctor = await specialist(runtime, home, 'Dr Who', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]) });
  const count = await eventCount(runtime);
  const hours = await call(app, 'PUT', `/api/v1/specialists/${doctor}/working-hours`, { token: home.owner.token, body: { time_zone: 'Europe/Moscow', weekly: [{ weekday: 1, start: '09:00', end: '18:00', organization_id: home.org }] } });
  t.equal(hours.status, 400);
  t.same(Object.keys(hours.body.errors), ['weekly.0.organization_id']);
  const booked = await call(app, 'POST', `/api/v1/organizations/${home.org}/appointments`, {
    token: home.owner.token,
    body: { specialist_id: doctor, client_id: doctor, start: '2030-01-07T10:00:00+03:00', duration: 30, cost: { amount: 100, currency: 'RUB', discount: 100 } },
  });
  t.equal(booked.status, 400);
  t.same(Object.keys(booked.body.errors), ['cost.discount']);
  t.equal(await eventCount(runtime), count, 'no event is appended');
});

t.test('a query parameter the operation does not name is refused', async (t) => {
  const runtime = await startRuntime(t, { env: PATIENT });
  const { app } = runtime;
  const home = await clinic(runtime, 'Home');
  const reply = await call(app, 'GET', `/api/v1/organizations/${home.org}/clients?limit=5&organization_id=${home.org}`, { token: home.owner.token });
  t.equal(reply.status, 400);
  t.same(Object.keys(reply.body.errors), ['organization_id']);
  t.equal((await call(app, 'GET', `/api/v1/organizations/${home.org}/clients?limit=5`, { token: home.owner.token })).status, 200, 'the named ones still work');
});

t.test('the OpenAPI document says so: request objects have additionalProperties false', async (t) => {
  const runtime = await startRuntime(t, { env: PATIENT });
  const document = (await call(runtime.app, 'GET', '/docs/json')).body;
  const patch = document.paths['/api/v1/places/{place}'].patch;
  const body = patch.requestBody.content['application/json'].schema;
  t.equal(body.additionalProperties, false);
  t.match(body.description, /taken as sent: no type is converted/);
  const hours = document.paths['/api/v1/specialists/{id}/working-hours'].put.requestBody.content['application/json'].schema;
  t.equal(hours.properties.weekly.items.additionalProperties, false, 'nested objects too');
  const offset = document.paths['/api/v1/organizations/{org}/appointments'].get.parameters.find((p: { name: string }) => p.name === 'offset');
  t.match(offset.schema, { type: 'integer', minimum: 0, maximum: 100_000 });
  t.match(offset.description ?? offset.schema.description, /converted to a number/);
  t.match(document.info.description, /JSON bodies are taken as sent/);
});

t.test('a route cannot be declared with an unbounded number, nor with path parameters and no schema for them', async (t) => {
  const isPhone = () => true;
  const unbounded = Fastify();
  strictInput(unbounded, { isPhone });
  t.throws(() => unbounded.post('/x', { schema: { body: Type.Object({ n: Type.Integer({ minimum: 0 }) }) } }, async () => ({})), /POST \/x body\.n is a number without a minimum and a maximum/);
  const unchecked = Fastify();
  strictInput(unchecked, { isPhone });
  t.throws(() => unchecked.get('/things/:id', async () => ({})), /GET \/things\/:id: its path parameters have no schema/);
  await Promise.all([unbounded.close(), unchecked.close()]);
});
