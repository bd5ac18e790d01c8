import t from 'tap';
import { person } from '../helpers/clients.js';
import { conform, type Example } from '../helpers/compat.js';
import { addMember, organizationOf, staffMember } from '../helpers/staff.js';
import { call, startRuntime } from '../helpers/runtime.js';

// Seed 000 (the Clients API, staff): every request and response example of
// its document, written here as fixtures and replayed in document order
// against /compat/000/clients/. The seed's integer ids are our UUIDs
// (taken from the given); its times are ISO strings. Where the trust model
// wins (staff setting a password), the seed's example is replayed as the
// attack it is (403) and again without the password (the seed's 200).

const BASE = '/compat/000/clients';
const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const REQUIRED = ['This field is required.'];
const ID = '00000000-0000-0000-0000-000000000000';
const AT = '2021-09-09T04:10:19.375717Z';

/** The seed's client-u reply. */
const changed = (s: string, phone: string, links: Record<string, string>) => ({ surname: s, name: s, patronymic: s, phone, address: s, links });
const CHANGED = { name: 'Client1Changed', surname: 'Client1Changed', patronymic: 'Client1Changed', phone: '+79517486294', address: 'Client1Changed', links: { vk: 'vk.com' } };
const PATCHED = { name: 'Client1', surname: 'Client1', patronymic: 'Client1', phone: '+79967486294', address: 'Client1', links: { vk2: 'vk.com' } };

t.test('seed 000: every example of the document', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;

  // The seed's world: the creator "a a a", Organization2 with its numbers and links, a specialist (who may not remove
  // clients), a person who registered +79967486294 with client1client1 and verified it (the seed's login).
  const owner = await staffMember(runtime, 'a@gmail.com', { first_name: 'a', last_name: 'a', patronymic: 'a' });
  const org = await organizationOf(runtime, owner, 'Organization2');
  const details = { description: 'Organization2', address: 'Organization2', numbers: { main: '+79999999999' }, links: { vk: 'vk.com' } };
  t.equal((await call(app, 'PATCH', `/api/v1/organizations/${org}`, { token: owner.token, body: details })).status, 200);
  const specialist = await staffMember(runtime, 'specialist@organization2.example');
  await addMember(runtime, org, owner, specialist, 'specialist');
  const client = await person(runtime, '+79967486294', { first_name: 'Client1' }, 'client1client1');
  const signedOut = await staffMember(runtime, 'signed-out@organization2.example');
  t.equal((await call(app, 'POST', '/api/v1/auth/logout', { token: signedOut.token })).status, 204);

  const examples: Example[] = [];
  const run = async (example: Example) => {
    examples.push(example);
    return conform(t, app, example);
  };

  // ## Token error
  await run({ name: 'Token error: no token', method: 'GET', url: `${BASE}/client-l/${org}/`, status: 401, shape: NOT_AUTHENTICATED, values: NOT_AUTHENTICATED });
  await run({ name: 'Token error: not enough rights (a client’s token)', method: 'POST', url: `${BASE}/client-c/`, token: client.token, body: {}, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  await run({ name: 'Token error: the session has been deleted', method: 'GET', url: `${BASE}/client-l/${org}/`, token: signedOut.token, status: 403, shape: FORBIDDEN, values: FORBIDDEN });

  // ## Clients: POST client-c/
  await run({ name: 'POST client-c/, empty request body', method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: {}, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  await run({ name: 'POST client-c/, no body at all', method: 'POST', url: `${BASE}/client-c/`, token: owner.token, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  const missing = await run({
    name: 'POST client-c/, only the organization',
    method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: { organization: [org] },
    status: 400, shape: { name: REQUIRED, phone: REQUIRED, password: REQUIRED },
  });
  t.same(missing.body, { name: REQUIRED, phone: REQUIRED, password: REQUIRED }, 'exactly the three missing fields, at the top level');
  const created = await run({
    name: 'POST client-c/, the correct request',
    method: 'POST', url: `${BASE}/client-c/`, token: owner.token, body: { name: 'Client1', organization: [org], phone: '+79517586284', password: 'client1client1' },
    status: 201, shape: { surname: '', name: 'Client1', patronymic: '', phone: '+79517586284', address: '', organization: [ID] },
    values: { surname: '', name: 'Client1', patronymic: '', phone: '+79517586284', address: '', organization: [org] },
  });
  const record = created.body.id as string;
  t.match(record, /^[0-9a-f-]{36}$/, 'the new record’s id (beside the seed’s fields, for client-u)');

  // ## GET client-l/{org}/
  const creator = { id: ID, surname: 'a', name: 'a', patronymic: 'a', address: null, email: null, phone: null, image: null, confirmed_email: null, confirmed_phone: null, created_at: null, updated_at: null };
  const listed = await run({
    name: 'GET client-l/1/',
    method: 'GET', url: `${BASE}/client-l/${org}/`, token: owner.token, status: 200,
    // The seed's item; the creator's account fields are null (the trust model: see README, profile 000).
    shape: [{
      id: ID, surname: '', name: 'Client1', patronymic: '', phone: '+79517586284', address: '', confirmed_phone: false,
      organization: [{ id: ID, name: 'Organization2', description: 'Organization2', address: 'Organization2', creator, created_at: AT, numbers: { main: '' }, links: { vk: '' }, updated_at: AT }],
      created_at: AT, updated_at: AT,
    }],
    values: [{
      id: record, surname: '', name: 'Client1', patronymic: '', phone: '+79517586284', address: '', confirmed_phone: false,
      organization: [{ id: org, name: 'Organization2', ...details, creator: { id: owner.id, surname: 'a', name: 'a', patronymic: 'a' } }],
    }],
  });
  t.equal(listed.body.length, 1, 'the organization’s one record');

  // ## PUT client-u/{id}/
  const u = `${BASE}/client-u/${record}/`;
  await run({ name: 'PUT client-u/1/, empty request data', method: 'PUT', url: u, token: owner.token, body: {}, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  const putMissing = await run({ name: 'PUT client-u/1/, only the organization', method: 'PUT', url: u, token: owner.token, body: { organization: [org] }, status: 400, shape: { name: REQUIRED, phone: REQUIRED } });
  // Deviation: the seed also lists `password`, which staff may not set at all.
  t.same(putMissing.body, { name: REQUIRED, phone: REQUIRED }, 'name and phone, not password');
  const putBody = { ...CHANGED, password: 'client1client1changed', organization: [org] };
  await run({ name: 'PUT client-u/1/, the correct request (with the seed’s password: refused)', method: 'PUT', url: u, token: owner.token, body: putBody, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  const put = { ...CHANGED, organization: [org] };
  const seedPut = changed('Client1Changed', '+79517486294', { vk: 'vk.com' });
  await run({ name: 'PUT client-u/1/, the correct request without the password', method: 'PUT', url: u, token: owner.token, body: put, status: 200, shape: seedPut, values: { ...seedPut, id: record } });

  // ## PATCH client-u/{id}/
  await run({ name: 'PATCH client-u/1/, empty request data', method: 'PATCH', url: u, token: owner.token, body: {}, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  await run({ name: 'PATCH client-u/1/, only the organization', method: 'PATCH', url: u, token: owner.token, body: { organization: [org] }, status: 200, shape: seedPut, values: seedPut });
  const patchBody = { ...PATCHED, password: 'client1client1', organization: [org] };
  await run({ name: 'PATCH client-u/1/, the correct request (with the seed’s password: refused)', method: 'PATCH', url: u, token: owner.token, body: patchBody, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  const seedPatch = changed('Client1', '+79967486294', { vk2: 'vk.com' });
  await run({ name: 'PATCH client-u/1/, the correct request without the password', method: 'PATCH', url: u, token: owner.token, body: { ...PATCHED, organization: [org] }, status: 200, shape: seedPatch, values: seedPatch });

  // ## DELETE clients-r/{org}/{id}/
  const r = `${BASE}/clients-r/${org}/${record}/`;
  // Deviation: the path names the organization, so the seed's empty-body 403 is what a caller who may not remove gets.
  await run({ name: 'DELETE clients-r/1/1/, empty request data (a specialist)', method: 'DELETE', url: r, token: specialist.token, status: 403, shape: FORBIDDEN, values: FORBIDDEN });
  const removed = await run({ name: 'DELETE clients-r/1/1/, with the organization', method: 'DELETE', url: r, token: owner.token, body: { organization: [org] }, status: 204 });
  t.equal(removed.body, undefined, 'no content');
  t.same((await call(app, 'GET', `${BASE}/client-l/${org}/`, { token: owner.token })).body, [], 'the record is gone from the book');

  // ## Client Auth: POST auth/token/
  const empty = await run({ name: 'POST auth/token/, empty request data', method: 'POST', url: `${BASE}/auth/token/`, body: {}, status: 400, shape: {} });
  t.same(empty.body, {}, 'the seed’s empty object');
  const wrong = await run({ name: 'POST auth/token/, incorrect data', method: 'POST', url: `${BASE}/auth/token/`, body: { phone: '+79967486294', password: 'not-the-password' }, status: 400, shape: {} });
  t.same(wrong.body, {}, 'the same answer for incorrect data');
  const token = await run({
    name: 'POST auth/token/, the correct request',
    method: 'POST', url: `${BASE}/auth/token/`, body: { phone: '+79967486294', password: 'client1client1' }, status: 200, shape: { token: 'eyJ...' },
  });
  const me = await call(app, 'GET', '/api/v1/clients/me', { token: token.body.token as string });
  t.equal(me.body.id, client.id, 'the token is the person’s');

  t.equal(examples.length, 21, 'every example of the document was replayed');
});
