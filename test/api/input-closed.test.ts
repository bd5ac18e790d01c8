import Fastify from 'fastify';
import t, { type Test } from 'tap';
import Type from 'typebox';
import { strictInput } from '../../src/api/validation.js';
import { eventCount } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { clinic, everyDay, place, specialist } from '../helpers/scheduling.js';
import { organizationOf } from '../helpers/staff.js';

// Issue 11, mass assignment: every request schema refuses the properties it
// does not name (body, query, path; nested objects too), with a 400 naming
// them, and nothing is appended.

t.test('closed request objects', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  let clinics = 0;
  /** A clinic of its own (its staff's emails follow from its name). */
  const givenClinic = () => clinic(runtime, `Home ${++clinics}`);
  /** Nothing appended by `act`: the count of events is the same after it. */
  const appendsNothing = async (t: Test, act: () => Promise<void>) => {
    const before = await eventCount(runtime);
    await act();
    t.equal(await eventCount(runtime), before, 'no event is appended');
  };

  const placeBodies = (other: string) => [
    { what: 'another organization', body: { organization_id: other } },
    { what: 'a column that does not exist', body: { no_such_column: 'x' } },
    { what: 'a known field beside another organization', body: { name: 'Renamed', organization_id: other } },
  ];
  for (const [row, { what }] of placeBodies('').entries()) {
    t.test(`PATCH /places/{id} refuses ${what}, and the place stays as it was`, async (t) => {
      const home = await givenClinic();
      const other = await organizationOf(runtime, home.owner, 'Other');
      const placeId = await place(runtime, home, 'Room 1');
      const { body } = placeBodies(other)[row]!;
      await appendsNothing(t, async () => {
        const reply = await call(app, 'PATCH', `/api/v1/places/${placeId}`, { token: home.owner.token, body });
        t.equal(reply.status, 400, `${JSON.stringify(body)} is refused`);
        const unknown = Object.keys(body).filter((key) => key !== 'name');
        t.same(Object.keys(reply.body.errors), unknown, 'the errors name the unknown fields, and only them');
        for (const key of unknown) t.match(reply.body.errors[key][0], /^Unknown field: expected only name, address, description\.$/);
      });
      const read = await call(app, 'GET', `/api/v1/places/${placeId}`, { token: home.owner.token });
      t.equal(read.body.organization_id, home.org, 'the place stays in its organization');
      t.equal(read.body.name, 'Room 1', 'a known field sent beside an unknown one is not applied either');
      const theirs = await call(app, 'GET', `/api/v1/organizations/${other}/places`, { token: home.owner.token });
      t.same(theirs.body, [], 'the other organization got no place');
    });
  }

  t.test('PATCH /organizations/{id} stores no arbitrary JSON, nor the known field beside it', async (t) => {
    const home = await givenClinic();
    await appendsNothing(t, async () => {
      const arbitrary = await call(app, 'PATCH', `/api/v1/organizations/${home.org}`, { token: home.owner.token, body: { description: 'ok', owner_id: home.manager.id, settings: { admin: true } } });
      t.equal(arbitrary.status, 400);
      t.same(Object.keys(arbitrary.body.errors).sort(), ['owner_id', 'settings']);
    });
    const read = await call(app, 'GET', `/api/v1/organizations/${home.org}`, { token: home.owner.token });
    t.equal(read.body.description, '', 'the known field beside them is not applied');
    t.notOk('settings' in read.body);
  });

  // Labels are a map by design: any label, but a label's value is text.
  t.test('a map of labels still takes the labels it is sent', async (t) => {
    const home = await givenClinic();
    const labels = await call(app, 'PATCH', `/api/v1/organizations/${home.org}`, { token: home.owner.token, body: { numbers: { reception: '+79990000000' } } });
    t.equal(labels.status, 200, 'a map of labels still takes the labels it is sent');
    t.same(labels.body.numbers, { reception: '+79990000000' });
  });

  // ...but only names its pattern takes: a name it refuses was an open door for any value (a number, an object).
  const long = 'x'.repeat(65);
  for (const [what, key, value] of [['two lines', 'two\nlines', 12345], ['65 characters', long, 'text'], ['empty', '', 'text']] as const) {
    t.test(`a label whose name is ${what} is refused`, async (t) => {
      const home = await givenClinic();
      await appendsNothing(t, async () => {
        const odd = await call(app, 'PATCH', `/api/v1/organizations/${home.org}`, { token: home.owner.token, body: { links: { [key]: value } } });
        t.equal(odd.status, 400, `a label ${JSON.stringify(key)} is refused`);
        t.match(odd.body.errors[`links.${key}`], [/^Unknown field: names here match/], JSON.stringify(odd.body));
      });
    });
  }

  const givenDoctor = async () => {
    const home = await givenClinic();
    return { home, doctor: await specialist(runtime, home, 'Dr Who', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]) }) };
  };

  t.test('an object inside an array is closed too: working hours', async (t) => {
    const { home, doctor } = await givenDoctor();
    await appendsNothing(t, async () => {
      const hours = await call(app, 'PUT', `/api/v1/specialists/${doctor}/working-hours`, { token: home.owner.token, body: { time_zone: 'Europe/Moscow', weekly: [{ weekday: 1, start: '09:00', end: '18:00', organization_id: home.org }] } });
      t.equal(hours.status, 400);
      t.same(Object.keys(hours.body.errors), ['weekly.0.organization_id']);
    });
  });

  t.test('an object inside an object is closed too: an appointment’s cost', async (t) => {
    const { home, doctor } = await givenDoctor();
    await appendsNothing(t, async () => {
      const booked = await call(app, 'POST', `/api/v1/organizations/${home.org}/appointments`, {
        token: home.owner.token,
        body: { specialist_id: doctor, client_id: doctor, start: '2030-01-07T10:00:00+03:00', duration: 30, cost: { amount: 100, currency: 'RUB', discount: 100 } },
      });
      t.equal(booked.status, 400);
      t.same(Object.keys(booked.body.errors), ['cost.discount']);
    });
  });

  t.test('a query parameter the operation does not name is refused', async (t) => {
    const home = await givenClinic();
    const reply = await call(app, 'GET', `/api/v1/organizations/${home.org}/clients?limit=5&organization_id=${home.org}`, { token: home.owner.token });
    t.equal(reply.status, 400);
    t.same(Object.keys(reply.body.errors), ['organization_id']);
  });

  t.test('the query parameters the operation names still work', async (t) => {
    const home = await givenClinic();
    t.equal((await call(app, 'GET', `/api/v1/organizations/${home.org}/clients?limit=5`, { token: home.owner.token })).status, 200, 'the named ones still work');
  });

  const openApi = async () => (await call(app, 'GET', '/docs/json')).body;

  t.test('the OpenAPI document says so: a request body has additionalProperties false, and takes JSON as sent', async (t) => {
    const patch = (await openApi()).paths['/api/v1/places/{place}'].patch;
    const body = patch.requestBody.content['application/json'].schema;
    t.equal(body.additionalProperties, false);
    t.match(body.description, /taken as sent: no type is converted/);
  });

  t.test('the OpenAPI document says so of nested objects too', async (t) => {
    const hours = (await openApi()).paths['/api/v1/specialists/{id}/working-hours'].put.requestBody.content['application/json'].schema;
    t.equal(hours.properties.weekly.items.additionalProperties, false, 'nested objects too');
  });

  t.test('the OpenAPI document bounds a query number and says it is converted', async (t) => {
    const offset = (await openApi()).paths['/api/v1/organizations/{org}/appointments'].get.parameters.find((p: { name: string }) => p.name === 'offset');
    t.match(offset.schema, { type: 'integer', minimum: 0, maximum: 100_000 });
    t.match(offset.description ?? offset.schema.description, /converted to a number/);
  });

  t.test('the OpenAPI document’s description says JSON bodies are taken as sent', async (t) => {
    t.match((await openApi()).info.description, /JSON bodies are taken as sent/);
  });
});

t.test('a route cannot be declared with an unbounded number', async (t) => {
  const unbounded = Fastify();
  t.teardown(() => unbounded.close());
  strictInput(unbounded, { isPhone: () => true });
  t.throws(() => unbounded.post('/x', { schema: { body: Type.Object({ n: Type.Integer({ minimum: 0 }) }) } }, async () => ({})), /POST \/x body\.n is a number without a minimum and a maximum/);
});

t.test('a route cannot be declared with path parameters and no schema for them', async (t) => {
  const unchecked = Fastify();
  t.teardown(() => unchecked.close());
  strictInput(unchecked, { isPhone: () => true });
  t.throws(() => unchecked.get('/things/:id', async () => ({})), /GET \/things\/:id: its path parameters have no schema/);
});
