import t from 'tap';
import { send } from '../helpers/compat.js';
import { addRecord, eventCount, person, PASSWORD, signIn, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { organizationOf, staffMember } from '../helpers/staff.js';
import { clientStream } from '../../src/events/clients/client.js';

// Seed 001's deviations, each an attack over HTTP shown to fail with nothing
// appended: the document's unauthenticated profile GET, one person reaching
// another through the profile, a password or phone changed with a token
// alone; bad input; and the tokens, which are /api/v1's.

const BASE = '/compat/001/api/v1';
const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = 'You do not have permission to perform this action.';
const NOT_FOUND = { detail: 'Not found.' };
const SECRET = 'я люблю собак';

t.test('seed 001 trust', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const someone = () => person(runtime, uniquePhone(), { first_name: 'Анна', additional_info: SECRET, sex: 'женщина' });
  const get = (url: string, token?: string, body?: unknown) => send(app, { method: 'GET', url: `${BASE}${url}`, token, body });
  const patch = (url: string, token: string, body: unknown) => send(app, { method: 'PATCH', url: `${BASE}${url}`, token, body });

  t.test('no token: the profile, its sessions and its changes are 401, and nothing of the person leaks', async (t) => {
    const anna = await someone();
    const before = await eventCount(runtime);
    for (const answer of [
      await get('/clients', undefined, { client_id: anna.id }),
      await get(`/clients?client_id=${anna.id}`),
      await get(`/clients/${anna.id}/sessions`),
      await patch(`/clients/${anna.id}/additional_info`, '', { additional_info: 'stolen' }),
    ]) {
      t.equal(answer.status, 401);
      t.same(answer.body, NOT_AUTHENTICATED, 'the seed’s text, and nothing else');
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('person B neither reads nor changes person A through 001 (404, as /api/v1)', async (t) => {
    const [anna, boris] = [await someone(), await someone()];
    const before = await eventCount(runtime);
    const attempts = [
      await get('/clients', boris.token, { client_id: anna.id }),
      await get(`/clients?client_id=${anna.id}`, boris.token),
      await get(`/clients/${anna.id}/sessions`, boris.token),
      await patch(`/clients/${anna.id}`, boris.token, { first_name: 'Owned' }),
      await patch(`/clients/${anna.id}/full_name`, boris.token, { first_name: 'Owned', last_name: 'Owned' }),
      await patch(`/clients/${anna.id}/additional_info`, boris.token, { additional_info: 'owned' }),
      await patch(`/clients/${anna.id}/password`, boris.token, { password: 'owned-password', current_password: PASSWORD }),
      await patch(`/clients/${anna.id}/phone_number`, boris.token, { phone_number: uniquePhone(), current_password: PASSWORD }),
      await send(app, { method: 'POST', url: `${BASE}/clients/${anna.id}/password/check`, token: boris.token, body: { password: PASSWORD } }),
    ];
    for (const answer of attempts) {
      t.equal(answer.status, 404);
      t.same(answer.body, NOT_FOUND, 'as if Anna did not exist');
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.match((await get(`/clients?client_id=${anna.id}`, anna.token)).body, { first_name: 'Анна', additional_info: SECRET }, 'Anna is as she was');
    t.ok(await signIn(runtime, anna.phone, PASSWORD), 'and signs in with her own password');
  });

  t.test('staff read their own record of A, never A’s account (404); staff do not check passwords (403)', async (t) => {
    const anna = await someone();
    const owner = await staffMember(runtime, uniqueEmail('owner', 'other.example'));
    const org = await organizationOf(runtime, owner, 'Other');
    const record = await addRecord(runtime, org, owner.token, { first_name: 'Anna (walk-in)', phone: anna.phone });
    t.same((await get(`/clients?client_id=${anna.id}`, owner.token)).body, NOT_FOUND);
    const theirs = await get(`/clients?client_id=${record}`, owner.token);
    t.equal(theirs.status, 200, 'their record, as /api/v1/clients/{id} shows it to them');
    t.match(theirs.body, { client_id: record, first_name: 'Anna (walk-in)', additional_info: '' }, 'the record’s own data, nothing of the account');
    t.equal((await patch(`/clients/${anna.id}/full_name`, owner.token, { last_name: 'Owned' })).status, 404);
    const check = await send(app, { method: 'POST', url: `${BASE}/clients/${anna.id}/password/check`, token: owner.token, body: { password: PASSWORD } });
    t.equal(check.status, 403);
    t.same(check.body, { detail: FORBIDDEN });
  });

  t.test('a password change with the document’s body alone is 403, changes nothing; the old password still works', async (t) => {
    const anna = await someone();
    const before = await eventCount(runtime);
    const refused = await patch(`/clients/${anna.id}/password`, anna.token, { password: 'паучикапау' });
    t.equal(refused.status, 403);
    t.match(refused.body, { detail: FORBIDDEN, errors: { current_password: [String] } }, 'the seed’s text, and how to pass');
    const wrong = await patch(`/clients/${anna.id}/password`, anna.token, { password: 'паучикапау', current_password: 'not-my-password' });
    t.equal(wrong.status, 400, 'a wrong current password is invalid input');
    t.equal((await patch(`/clients/${anna.id}`, anna.token, { password: 'паучикапау' })).status, 403, 'nor through the general PATCH');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.ok(await signIn(runtime, anna.phone, PASSWORD), 'the old password still signs in');
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: anna.phone, password: 'паучикапау' } })).status, 401, 'the new one does not');
  });

  t.test('full_name: JSON null, like the document’s "null", leaves a name as it is', async (t) => {
    const anna = await someone();
    t.equal((await patch(`/clients/${anna.id}/full_name`, anna.token, { first_name: null, last_name: 'Иванова' })).status, 200);
    t.match((await get(`/clients?client_id=${anna.id}`, anna.token)).body, { first_name: 'Анна', last_name: 'Иванова' });
  });

  t.test('a new phone needs current_password, is verified again by SMS, and the codes are capped (429 with Retry-After)', async (t) => {
    const anna = await someone();
    const [first, second] = [uniquePhone(), uniquePhone()];
    const before = await eventCount(runtime);
    const alone = await patch(`/clients/${anna.id}/phone_number`, anna.token, { phone_number: first });
    t.equal(alone.status, 403, 'the document’s body alone');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    const from = runtime.logs.length;
    t.equal((await patch(`/clients/${anna.id}/phone_number`, anna.token, { phone_number: first, current_password: PASSWORD })).status, 200);
    const code = await smsCode(runtime, first, from);
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: first, password: PASSWORD } })).status, 401, 'an unverified number signs nobody in');
    t.equal((await patch(`/clients/${anna.id}/phone_number`, anna.token, { phone_number: second, current_password: PASSWORD })).status, 200, 'another number');
    const counted = await eventCount(runtime);
    const capped = await patch(`/clients/${anna.id}/phone_number`, anna.token, { phone_number: first, current_password: PASSWORD });
    t.equal(capped.status, 429, 'back to the first number inside its cooldown');
    t.ok(Number(capped.headers['retry-after']) > 0, 'with Retry-After');
    t.equal(await eventCount(runtime), counted, 'nothing appended');
    t.match((await get(`/clients?client_id=${anna.id}`, anna.token)).body, { phone: second }, 'the number is the second');
    t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: first, code } })).status, 400, 'the first number’s code no longer verifies it');
  });

  t.test('tokens are /api/v1’s: a client registered through 001 signs in at /api/v1, and the token works on both', async (t) => {
    const phone = uniquePhone();
    const from = runtime.logs.length;
    const registered = await send(app, { method: 'POST', url: `${BASE}/clients`, body: { phone, password: PASSWORD, first_name: 'Борис', sex: 'мужчина' } });
    t.equal(registered.status, 201);
    const id = registered.body.client_id as string;
    t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code: await smsCode(runtime, phone, from) } })).status, 200);
    const token = await signIn(runtime, phone, PASSWORD);
    t.match((await get(`/clients?client_id=${id}`, token)).body, { first_name: 'Борис', sex: 'мужчина' }, 'a /api/v1 token on 001; the sex as written');
    t.match((await call(app, 'GET', `/api/v1/clients/${id}`, { token })).body, { id, first_name: 'Борис', sex: 'мужчина' }, 'the same account on /api/v1');
    t.same(await streamTypes(runtime, clientStream(id)), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified'], 'registered as /api/v1 registers');
  });

  t.test('registering a phone someone verified is 409, as /api/v1', async (t) => {
    const anna = await someone();
    const before = await eventCount(runtime);
    const taken = await send(app, { method: 'POST', url: `${BASE}/clients`, body: { phone: anna.phone, password: 'another-password' } });
    t.equal(taken.status, 409);
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('bad input is a 4xx in /api/v1’s format and appends nothing', async (t) => {
    const anna = await someone();
    const before = await eventCount(runtime);
    const raw = (payload: string, contentType = 'application/json') =>
      app.inject({ method: 'GET', url: `${BASE}/clients`, headers: { authorization: `Bearer ${anna.token}`, 'content-type': contentType }, payload });
    const notJson = await raw('{"client_id": ');
    t.equal(notJson.statusCode, 400);
    t.same(notJson.json(), { detail: 'The request body is not valid JSON.' });
    const cases: [string, Awaited<ReturnType<typeof get>>, unknown][] = [
      ['an unknown field in the GET body', await get('/clients', anna.token, { client_id: anna.id, phone: anna.phone }), { errors: { phone: [String] } }],
      ['a client_id that is no UUID', await get('/clients', anna.token, { client_id: 7 }), { errors: { client_id: [String] } }],
      ['a body that is no object', await get('/clients', anna.token, [anna.id]), { detail: 'The request body must be a JSON object.' }],
      ['no client_id at all', await get('/clients', anna.token), { errors: { client_id: ['This field is required.'] } }],
      ['two different ids', await get(`/clients?client_id=${anna.id}`, anna.token, { client_id: '7febf16f-651b-43b0-a5e3-0da8da49e90d' }), { errors: { client_id: [String] } }],
      ['a bad query id', await get('/clients?client_id=7', anna.token), { errors: { client_id: [String] } }],
      ['an unknown query field', await get(`/clients?client_id=${anna.id}&who=all`, anna.token), { errors: { who: [String] } }],
      ['no name to change', await patch(`/clients/${anna.id}/full_name`, anna.token, {}), { detail: 'Invalid input.' }],
      ['a bad phone', await patch(`/clients/${anna.id}/phone_number`, anna.token, { phone_number: 'not a phone', current_password: PASSWORD }), { errors: { phone_number: [String] } }],
      ['a bad birthday', await patch(`/clients/${anna.id}`, anna.token, { birthday: '08.10.2004' }), { errors: { birthday: [String] } }],
      ['a registration without a phone', await send(app, { method: 'POST', url: `${BASE}/clients`, body: { first_name: 'имя', password: PASSWORD } }), { errors: { phone: [String] } }],
      ['a bad page', await get(`/clients/${anna.id}/sessions?limit=0`, anna.token), { errors: { limit: [String] } }],
    ];
    for (const [what, answer, body] of cases) {
      t.equal(answer.status, 400, what);
      t.match(answer.body, body, `${what}: ${JSON.stringify(answer.body)}`);
    }
    t.equal((await raw(`{"client_id": "${anna.id}", "padding": "${'x'.repeat(70 * 1024)}"}`)).statusCode, 413, 'a GET body over 64 KB');
    t.equal((await raw(`client_id=${anna.id}`, 'application/x-www-form-urlencoded')).statusCode, 415, 'a GET body that is no JSON');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.equal((await get('/clients', anna.token, { client_id: anna.id.toUpperCase() })).status, 200, 'an id in capitals is still hers');
  });
});
