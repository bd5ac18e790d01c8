import t, { type Test } from 'tap';
import { eventCount } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, clinic, everyDay, place, recordOf, specialist, type Clinic } from '../helpers/scheduling.js';

// Issue 11, "Input": a JSON body is taken as sent (no coercion), money is an
// integer of minor units, no text carries a NUL or an unpaired surrogate
// (PostgreSQL's JSON refuses them: they were 500s), and every number is
// bounded (`?offset=1e999` was a 500). Each is a 400 on the field that
// carries it, and appends nothing.

const HOURS = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0 };
const CLOCK = new Date('2027-03-01T06:00:00Z');
const START = '2027-03-02T10:00:00+03:00';

interface Case {
  readonly what: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly body?: unknown;
  /** A raw JSON text, for what a JavaScript value cannot say (1e999). */
  readonly raw?: string;
  readonly token?: string;
  /** The field the 400 names, and its message. */
  readonly field: string;
  readonly message: RegExp;
}

/** Each case its own behaviour: a 400 with exactly that field, and no event. */
function refuses(t: Test, runtime: TestRuntime, cases: readonly Case[]) {
  for (const c of cases) {
    t.test(`${c.what}: a 400 on ${JSON.stringify(c.field)}`, async (t) => {
      const before = await eventCount(runtime);
      const reply = c.raw === undefined
        ? await call(runtime.app, c.method, c.url, { token: c.token, body: c.body })
        : await call(runtime.app, c.method, c.url, { token: c.token, body: c.raw, headers: { 'content-type': 'application/json' } });
      t.equal(reply.status, 400, `${c.what}: 400`);
      t.same(Object.keys(reply.body?.errors ?? {}), [c.field], `${c.what}: names ${c.field}`);
      t.match(reply.body?.errors?.[c.field]?.[0], c.message, `${c.what}: says why`);
      t.equal(await eventCount(runtime), before, `${c.what}: appends nothing`);
    });
  }
}

let clinics = 0;
/** A clinic of its own (its staff's emails follow from its name), a specialist, and a walk-in's record. */
async function bookable(runtime: TestRuntime): Promise<{ home: Clinic; doctor: string; record: string }> {
  const home = await clinic(runtime, `Home ${++clinics}`);
  const doctor = await specialist(runtime, home, 'Dr Who', HOURS);
  const record = await recordOf(runtime, home, '+79517000001');
  return { home, doctor, record };
}

const TEXT = /^Must not contain a NUL character \(\\u0000\) or an unpaired surrogate/;

t.test('input types', async (t) => {
  const runtime = await startRuntime(t, { now: () => CLOCK });
  const { app } = runtime;

  t.test('bodies are not coerced: a number is not a string, null only where nullable; query numbers still are', async (t) => {
    // Refused rows change nothing: they share one clinic.
    const { home, doctor, record } = await bookable(runtime);
    const placeId = await place(runtime, home, 'Room 1');
    const token = home.owner.token;
    refuses(t, runtime, [
      { what: 'a number for a string', method: 'PATCH', url: `/api/v1/places/${placeId}`, token, body: { description: 10 }, field: 'description', message: /^Must be of type string\.$/ },
      { what: 'null for a string', method: 'PATCH', url: `/api/v1/places/${placeId}`, token, body: { description: null }, field: 'description', message: /^Must be of type string\.$/ },
      { what: 'a string for an integer', method: 'POST', url: `/api/v1/organizations/${home.org}/appointments`, token, body: { specialist_id: doctor, client_id: record, start: START, duration: '30' }, field: 'duration', message: /^Must be of type integer\.$/ },
      { what: 'an array for a role (arrays were unwrapped)', method: 'PATCH', url: `/api/v1/organizations/${home.org}/members/${home.manager.id}`, token, body: { role: ['manager'] }, field: 'role', message: /./ },
    ]);
    t.test('the refused place kept its description', async (t) => {
      t.equal((await call(app, 'GET', `/api/v1/places/${placeId}`, { token })).body.description, '', 'the place kept its description');
    });
    t.test('null where the schema says nullable is taken', async (t) => {
      const nullable = await call(app, 'PATCH', `/api/v1/specialists/${doctor}`, { token, body: { phone: null } });
      t.equal(nullable.status, 200, 'null where the schema says nullable is taken');
    });
    t.test('an id is the 36 characters alone (no "urn:uuid:" prefix)', async (t) => {
      const urn = await call(app, 'GET', `/api/v1/places/urn:uuid:${placeId}`, { token });
      t.same([urn.status, urn.body.errors], [400, { place: ['Must be a valid UUID.'] }], 'an id is the 36 characters alone (no "urn:uuid:" prefix)');
    });
    t.test('numbers in the query string are converted', async (t) => {
      const listed = await call(app, 'GET', `/api/v1/organizations/${home.org}/appointments?limit=5&offset=0`, { token });
      t.equal(listed.status, 200, 'numbers in the query string are converted');
    });
  });

  t.test('money is an integer of minor units: "1500.00" and 1500.5 are 400s that say so', async (t) => {
    const { home, doctor, record } = await bookable(runtime);
    const token = home.owner.token;
    const body = (amount: unknown) => ({ specialist_id: doctor, client_id: record, start: START, duration: 30, service: 'Massage', cost: { amount, currency: 'RUB' } });
    const booked = await book(runtime, home.org, token, { specialist_id: doctor, client_id: record, start: START });
    t.equal(booked.status, 201);
    refuses(t, runtime, [
      { what: 'a decimal string', method: 'POST', url: `/api/v1/organizations/${home.org}/appointments`, token, body: body('1500.00'), field: 'cost.amount', message: /^Amounts are integers in minor units \(kopecks, cents\): send 150000 for 1500\.00, as a JSON number\.$/ },
      { what: 'a fraction', method: 'POST', url: `/api/v1/organizations/${home.org}/appointments`, token, body: body(1500.5), field: 'cost.amount', message: /send 150050 for 1500\.5/ },
      { what: 'an integer string', method: 'PATCH', url: `/api/v1/appointments/${booked.body.id}`, token, body: { cost: { amount: '1500', currency: 'RUB' } }, field: 'cost.amount', message: /minor units/ },
    ]);
    t.test('the refused price change leaves the price unchanged', async (t) => {
      const read = await call(app, 'GET', `/api/v1/appointments/${booked.body.id}`, { token });
      t.same(read.body.cost, { amount: 300000, currency: 'RUB' }, 'the price is unchanged');
    });
  });

  t.test('a NUL or an unpaired surrogate in any text of a body, a query or a path is a 400 on its field', async (t) => {
    const { home, record } = await bookable(runtime);
    const token = home.owner.token;
    refuses(t, runtime, [
      { what: 'register, NUL', method: 'POST', url: '/api/v1/auth/register', body: { phone: '+79517000002', password: 'a-password', first_name: 'a\u0000b' }, field: 'first_name', message: TEXT },
      { what: 'register, high surrogate', method: 'POST', url: '/api/v1/auth/register', body: { phone: '+79517000002', password: 'a-password', address: 'x\ud800' }, field: 'address', message: TEXT },
      { what: 'staff user, low surrogate', method: 'POST', url: '/api/v1/users', body: { email: 'new@staff.example', password: 'a-password', first_name: '\udc00' }, field: 'first_name', message: TEXT },
      { what: 'PUT client', method: 'PUT', url: `/api/v1/clients/${record}`, token, body: { first_name: 'Walk-in', phone: '+79517000001', additional_info: '\u0000' }, field: 'additional_info', message: TEXT },
      { what: 'organization', method: 'PATCH', url: `/api/v1/organizations/${home.org}`, token, body: { name: 'Clinic\ud800' }, field: 'name', message: TEXT },
      { what: 'a label of an organization (a key)', method: 'PATCH', url: `/api/v1/organizations/${home.org}`, token, body: { numbers: { 'ma\u0000in': '+79990000000' } }, field: 'numbers.ma\u0000in', message: TEXT },
      { what: 'specialist', method: 'POST', url: `/api/v1/organizations/${home.org}/specialists`, token, body: { name: 'Dr\u0000' }, field: 'name', message: TEXT },
      { what: 'query ?search=%00', method: 'GET', url: `/api/v1/organizations/${home.org}/clients?search=%00`, token, field: 'search', message: TEXT },
      { what: 'query ?specialty=a%00b (public)', method: 'GET', url: `/api/v1/organizations/${home.org}/specialists?specialty=a%00b`, field: 'specialty', message: TEXT },
    ]);
    t.test('a NUL in the path', async (t) => {
      const path = await call(app, 'GET', '/api/v1/places/%00', { token });
      t.equal(path.status, 400, 'a NUL in the path');
      t.match(path.body.errors.place, [/valid UUID/, TEXT]);
    });
    t.test('a well-formed pair (an emoji) is text like any other', async (t) => {
      const emoji = await call(app, 'PATCH', `/api/v1/organizations/${home.org}`, { token, body: { name: 'Clinic \ud83d\ude00' } });
      t.equal(emoji.status, 200);
      t.equal(emoji.body.name, 'Clinic 😀');
    });
  });

  t.test('every number is bounded: ?offset=1e999, a huge limit, a body number PostgreSQL cannot hold', async (t) => {
    const { home, doctor, record } = await bookable(runtime);
    const token = home.owner.token;
    const list = `/api/v1/organizations/${home.org}/appointments`;
    refuses(t, runtime, [
      { what: '?offset=1e999', method: 'GET', url: `${list}?offset=1e999`, token, field: 'offset', message: /^Must be a finite number\.$/ },
      { what: '?offset=100001', method: 'GET', url: `${list}?offset=100001`, token, field: 'offset', message: /^Ensure this value is less than or equal to 100000\.$/ },
      { what: '?offset=-1', method: 'GET', url: `${list}?offset=-1`, token, field: 'offset', message: /^Ensure this value is greater than or equal to 0\.$/ },
      { what: 'a huge ?limit', method: 'GET', url: `${list}?limit=99999999999999999999`, token, field: 'limit', message: /^Ensure this value is less than or equal to 500\.$/ },
      { what: 'a huge client list ?limit', method: 'GET', url: `/api/v1/organizations/${home.org}/clients?limit=1e308`, token, field: 'limit', message: /less than or equal to 100\./ },
      { what: 'duration 1e999 in a body', method: 'POST', url: list, token, raw: `{"specialist_id":"${doctor}","client_id":"${record}","start":"${START}","duration":1e999}`, field: 'duration', message: /./ },
      { what: 'a cost beyond bounds', method: 'POST', url: list, token, body: { specialist_id: doctor, client_id: record, start: START, duration: 30, cost: { amount: 1e15, currency: 'RUB' } }, field: 'cost.amount', message: /less than or equal to 1000000000000/ },
    ]);
  });

  t.test('a refused body leaves no trace of what it carried in the logs', async (t) => {
    const secret = 'hunter2-secret\u0000';
    const reply = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79517000003', password: secret, no_such_field: 'hunter3' } });
    t.equal(reply.status, 400);
    t.same(Object.keys(reply.body.errors).sort(), ['no_such_field', 'password']);
    t.notOk(JSON.stringify(reply.body).includes('hunter'), 'the reply does not echo the values');
    t.same(runtime.logs.filter((line) => line.includes('hunter')), [], 'no log line carries them');
  });
});
