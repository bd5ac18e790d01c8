import t, { type Test } from 'tap';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { acceptRecord, eventCount, person, signIn } from '../helpers/clients.js';
import { send } from '../helpers/compat.js';
import { organizationOf, STAFF_PASSWORD, staffMember } from '../helpers/staff.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// Seed 000 against the trust model (docs/trust-model.md): where the seed
// lets staff do more than the model allows, the attack is performed over
// HTTP and shown to fail, in the seed's format, with nothing appended.

const BASE = '/compat/000/clients';
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const NOT_FOUND = { detail: 'Not found.' };

t.test('seed 000 and the trust model', async (t) => {
  const runtime: TestRuntime = await startRuntime(t);
  const { app } = runtime;

  /** A clinic with its owner, and a record the owner added through client-c. */
  const givenClinic = async (t: Test, name: string) => {
    const owner = await staffMember(runtime, uniqueEmail(name.toLowerCase().replace(' ', '-')));
    const org = await organizationOf(runtime, owner, name);
    const added = await send(app, { method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: { organization: [org], name: 'Client1', phone: uniquePhone(), password: 'client1client1' } });
    t.equal(added.status, 201, `${name} adds a client`);
    return { owner, org, record: added.body.id as string };
  };

  /** Runs the attempts and shows the log unchanged. */
  const appendsNothing = async (t: Test, attempts: () => Promise<void>) => {
    const before = await eventCount(runtime);
    await attempts();
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  };

  t.test('staff of clinic B cannot list, add to, change or remove clinic A’s records', async (t) => {
    const a = await givenClinic(t, 'Clinic A');
    const b = await givenClinic(t, 'Clinic B');
    const as = (url: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', body?: unknown) => send(app, { method, url: `${BASE}${url}`, token: b.owner.token, body });
    await appendsNothing(t, async () => {
      t.same(await as(`/client-l/${a.org}/`, 'GET').then((r) => [r.status, r.body]), [403, FORBIDDEN], 'A’s book is not listed');
      t.same((await as('/client-c/', 'POST', { organization: [a.org], name: 'Spy', phone: uniquePhone(), password: 'spyspyspy' })).body, FORBIDDEN, 'no record is added to A');
      const change = { organization: [a.org], name: 'Changed', phone: uniquePhone() };
      t.same((await as(`/client-u/${a.record}/`, 'PUT', change)).body, FORBIDDEN, 'A named: 403');
      t.same((await as(`/client-u/${a.record}/`, 'PATCH', { ...change, organization: [b.org] })).body, NOT_FOUND, 'B named: A’s record is not found in B');
      t.same((await as(`/clients-r/${a.org}/${a.record}/`, 'DELETE')).body, FORBIDDEN, 'A in the path: 403');
      t.same((await as(`/clients-r/${b.org}/${a.record}/`, 'DELETE', { organization: [a.org] })).body, NOT_FOUND, 'B in the path: not found');
      t.same((await as('/client-l/not-an-id/', 'GET')).body, FORBIDDEN, 'a malformed organization is the same 403');
    });
    const book = await send(app, { method: 'GET', url: `${BASE}/client-l/${a.org}/`, token: a.owner.token });
    t.same(book.body.map((r: { id: string; name: string }) => [r.id, r.name]), [[a.record, 'Client1']], 'A’s record is as it was');
  });

  t.test('staff cannot set a person’s password through client-u', async (t) => {
    const { owner, org } = await givenClinic(t, 'Clinic P');
    const phone = uniquePhone();
    const client = await person(runtime, phone, { first_name: 'Anna' }, 'annas-own-password');
    const added = await send(app, { method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: { organization: [org], name: 'Anna', phone } });
    t.equal(added.status, 400, 'client-c needs the seed’s password field');
    const record = (await send(app, { method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: { organization: [org], name: 'Anna', phone, password: 'staff-chosen-1' } })).body.id as string;
    await acceptRecord(runtime, client, record);
    await appendsNothing(t, async () => {
      for (const method of ['PUT', 'PATCH'] as const) {
        const attack = await send(app, { method, url: `${BASE}/client-u/${record}/`, token: owner.token, body: { organization: [org], name: 'Anna', phone, password: 'staff-chosen-2' } });
        t.same([attack.status, attack.body], [403, FORBIDDEN], `${method} with a password on the linked record: 403`);
        const direct = await send(app, { method, url: `${BASE}/client-u/${client.id}/`, token: owner.token, body: { organization: [org], name: 'Anna', phone, password: 'staff-chosen-2' } });
        t.same([direct.status, direct.body], [404, NOT_FOUND], `${method} on the person’s account id: not found`);
      }
    });
    const login = (password: string) => send(app, { method: 'POST', url: `${BASE}/auth/token/`, body: { phone, password } });
    t.equal((await login('annas-own-password')).status, 200, 'the person still logs in with their own password');
    for (const chosen of ['staff-chosen-1', 'staff-chosen-2']) t.same(await login(chosen).then((a) => [a.status, a.body]), [400, {}], `${chosen} opens nothing`);
  });

  t.test('client-c for a phone with an account leaves that account’s password alone; a new account still verifies its phone', async (t) => {
    const { owner, org } = await givenClinic(t, 'Clinic Q');
    const phone = uniquePhone();
    await person(runtime, phone, {}, 'bobs-own-password');
    const added = await send(app, { method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: { organization: [org], name: 'Bob', phone, password: 'staff-chosen-3' } });
    t.equal(added.status, 201, 'a new record, the same answer as for any phone');
    t.match(await signIn(runtime, phone, 'bobs-own-password'), /^ey/, 'the person’s password still opens their account on /api/v1');
    t.same((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'staff-chosen-3' } })).status, 401, 'the staff-chosen one does not');
    t.same((await send(app, { method: 'POST', url: `${BASE}/auth/token/`, body: { phone, password: 'staff-chosen-3' } })).body, {}, 'nor on seed 000');

    const fresh = uniquePhone();
    const opened = await send(app, { method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: { organization: [org], name: 'New', phone: fresh, password: 'first-password' } });
    t.equal(opened.status, 201, 'a record for a phone nobody registered');
    const unverified = await send(app, { method: 'POST', url: `${BASE}/auth/token/`, body: { phone: fresh, password: 'first-password' } });
    t.same([unverified.status, unverified.body], [400, {}], 'the new account’s phone is not verified yet: no login');
  });

  t.test('a client’s token is refused on the staff routes', async (t) => {
    const { org, record } = await givenClinic(t, 'Clinic C');
    const client = await person(runtime, uniquePhone());
    await appendsNothing(t, async () => {
      const attempts: [string, 'GET' | 'POST' | 'PATCH' | 'DELETE', unknown?][] = [
        ['/client-c/', 'POST', { organization: [org], name: 'X', phone: uniquePhone(), password: 'xxxxxxxx' }],
        [`/client-l/${org}/`, 'GET'],
        [`/client-u/${record}/`, 'PATCH', { organization: [org], name: 'X' }],
        [`/clients-r/${org}/${record}/`, 'DELETE'],
      ];
      for (const [url, method, body] of attempts) {
        const answer = await send(app, { method, url: `${BASE}${url}`, token: client.token, body });
        t.same([answer.status, answer.body], [403, FORBIDDEN], `${method} ${url}: 403`);
      }
    });
  });

  t.test('tokens are interchangeable with /api/v1', async (t) => {
    const { owner, org, record } = await givenClinic(t, 'Clinic T');
    const phone = uniquePhone();
    const client = await person(runtime, phone, { first_name: 'Tess' }, 'tess-password');
    const issued = await send(app, { method: 'POST', url: `${BASE}/auth/token/`, body: { phone, password: 'tess-password' } });
    t.equal(issued.status, 200, 'seed 000 signs the person in');
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: issued.body.token as string });
    t.same([me.status, me.body.id], [200, client.id], 'seed 000’s token opens the person’s own account on /api/v1');

    const staffLogin = await call(app, 'POST', '/api/v1/auth/token', { body: { email: owner.email, password: STAFF_PASSWORD } });
    t.equal(staffLogin.status, 200, 'the owner signs in on /api/v1');
    const access = staffLogin.body.access as string;
    const listed = await send(app, { method: 'GET', url: `${BASE}/client-l/${org}/`, token: access });
    t.same([listed.status, listed.body.map((r: { id: string }) => r.id)], [200, [record]], 'a /api/v1 staff token lists the book on seed 000');
    const tokenForm = await send(app, { method: 'GET', url: `${BASE}/client-l/${org}/`, headers: { authorization: `Token ${access}` } });
    t.equal(tokenForm.status, 200, 'the `Token <access>` form too');
  });

  t.test('five wrong passwords lock the login: 429 with Retry-After, as on /api/v1', async (t) => {
    const phone = uniquePhone();
    await person(runtime, phone, {}, 'locked-out-password');
    const login = (password: string) => send(app, { method: 'POST', url: `${BASE}/auth/token/`, body: { phone, password } });
    for (let i = 0; i < 5; i++) t.same((await login(`wrong-${i}`)).body, {}, `wrong password ${i + 1}: the seed’s 400 {}`);
    const locked = await login('locked-out-password');
    t.equal(locked.status, 429, 'locked, even with the right password');
    t.match(locked.body, { detail: /try again in \d+ seconds/ });
    t.match(locked.headers['retry-after'], /^\d+$/, 'Retry-After');
  });

  t.test('bad input is a 400 in the seed’s format and appends nothing', async (t) => {
    const { owner, org, record } = await givenClinic(t, 'Clinic I');
    const as = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body: unknown) => send(app, { method, url: `${BASE}${url}`, token: owner.token, body });
    await appendsNothing(t, async () => {
      const cases: [string, Promise<{ status: number; body: unknown }>, unknown][] = [
        ['a name that is a number', as('POST', '/client-c/', { organization: [org], name: 5, phone: uniquePhone(), password: 'xxxxxxxx' }), { name: ['Must be of type string.'] }],
        ['an unknown field', as('POST', '/client-c/', { organization: [org], name: 'X', phone: uniquePhone(), password: 'xxxxxxxx', email: 'x@y.z' }), { email: [/Unknown field/] }],
        ['not a phone', as('POST', '/client-c/', { organization: [org], name: 'X', phone: 'call me', password: 'xxxxxxxx' }), { phone: ['Enter a valid phone number.'] }],
        ['a short password', as('POST', '/client-c/', { organization: [org], name: 'X', phone: uniquePhone(), password: 'short' }), { password: [/at least 8/] }],
        ['a second organization that is no id', as('POST', '/client-c/', { organization: [org, 7], name: 'X', phone: uniquePhone(), password: 'xxxxxxxx' }), { 'organization.1': [/string/] }],
        ['links that are text', as('PATCH', `/client-u/${record}/`, { organization: [org], links: 'vk.com' }), { links: ['Must be of type object.'] }],
        ['an unknown field on PUT', as('PUT', `/client-u/${record}/`, { organization: [org], name: 'X', phone: uniquePhone(), sex: 'f' }), { sex: [/Unknown field/] }],
        ['an unknown field on DELETE', as('DELETE', `/clients-r/${org}/${record}/`, { organization: [org], force: true }), { force: [/Unknown field/] }],
      ];
      for (const [what, answer, errors] of cases) {
        const { status, body } = await answer;
        t.equal(status, 400, `${what}: 400`);
        t.match(body, errors, `${what}: named at the top level`);
        t.notOk(body && typeof body === 'object' && 'detail' in body, `${what}: no detail beside the fields`);
      }
      const notAnObject = await as('DELETE', `/clients-r/${org}/${record}/`, []);
      t.same([notAnObject.status, notAnObject.body], [400, { detail: 'The request body must be a JSON object.' }], 'a body that is no object: 400 with its detail');
      t.same((await as('POST', '/client-c/', { organization: org, name: 'X', phone: uniquePhone(), password: 'xxxxxxxx' })).body, FORBIDDEN, 'an organization that is not a list names none: 403');
      const token = (body: string | object, headers?: Record<string, string>) => send(app, { method: 'POST', url: `${BASE}/auth/token/`, body, ...(headers ? { headers } : {}) });
      for (const [what, body] of [['a phone that is a number', { phone: 79967486294, password: 'x' }], ['an unknown field', { phone: uniquePhone(), password: 'x', email: 'a@b.c' }], ['a JSON array', []]] as const) {
        t.same(await token(body).then((a) => [a.status, a.body]), [400, {}], `auth/token/, ${what}: the seed’s 400 {}`);
      }
      t.same(await token('', { 'content-type': 'application/json' }).then((a) => [a.status, a.body]), [400, {}], 'auth/token/, an empty JSON body: 400 {}');
      t.same(await token('{"phone":', { 'content-type': 'application/json' }).then((a) => [a.status, a.body]), [400, {}], 'auth/token/, broken JSON: 400 {}');
    });
  });

  t.test('clients-r: the path decides, a body is optional', async (t) => {
    const { owner, org, record } = await givenClinic(t, 'Clinic R');
    const removed = await send(app, { method: 'DELETE', url: `${BASE}/clients-r/${org}/${record}/`, token: owner.token });
    t.equal(removed.status, 204, 'no body: removed');
    const again = await send(app, { method: 'DELETE', url: `${BASE}/clients-r/${org}/${record}/`, token: owner.token, body: { organization: [org] } });
    t.same([again.status, again.body], [404, NOT_FOUND], 'a removed record is not found');
  });

  t.test('PUT replaces the fields the seed knows; the record’s others stay', async (t) => {
    const { owner, org } = await givenClinic(t, 'Clinic U');
    const phone = uniquePhone();
    const body = { first_name: 'Vera', last_name: 'Petrova', phone, email: 'vera@example.com', additional_info: 'prefers mornings', links: { vk: 'vk.com' } };
    const record = (await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: owner.token, body })).body.id as string;
    const put = await send(app, { method: 'PUT', url: `${BASE}/client-u/${record}/`, token: owner.token, body: { organization: [org], name: 'Vera', phone } });
    t.same(put.body, { id: record, surname: '', name: 'Vera', patronymic: '', phone, address: '', links: {} }, 'surname, address and links left out are emptied');
    const seen = await call(app, 'GET', `/api/v1/clients/${record}`, { token: owner.token });
    t.match(seen.body, { email: 'vera@example.com', additional_info: 'prefers mornings', last_name: '' }, 'what seed 000 does not know is kept');
  });
});
