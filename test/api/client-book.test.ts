import t, { type Test } from 'tap';
import { clientRecordStream } from '../../src/events/clients/client-record.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { acceptRecord, person, signIn, streamTypes } from '../helpers/clients.js';
import { organizationOf, staffMember } from '../helpers/staff.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// An organization's client book (seed 000): its own records of its clients,
// never a person's account (docs/trust-model.md); and the person's own
// account beside it. The history, the CLI and who may do what are in
// client-book-history.test.ts.

const NOT_FOUND = { detail: 'Not found.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

/** An owner and their organization, named apart from every other behaviour's. */
async function givenOrganization(runtime: TestRuntime, name = 'Organization2') {
  const owner = await staffMember(runtime, uniqueEmail('owner'));
  return { owner, org: await organizationOf(runtime, owner, name) };
}

t.test('client book', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const clients = (org: string) => `/api/v1/organizations/${org}/clients`;

  /** Seed 000's record of Client1, made by the owner: 201. */
  const givenRecord = async (t: Test) => {
    const { owner, org } = await givenOrganization(runtime);
    const phone = uniquePhone();
    const created = await call(app, 'POST', clients(org), { token: owner.token, body: { first_name: 'Client1', phone, password: 'client1client1', links: { vk: 'vk.com' } } });
    t.equal(created.status, 201);
    return { owner, org, phone, created, id: created.body.id as string };
  };
  /** The record after seed 000's PUT to Client1Changed. */
  const givenChanged = async (t: Test) => {
    const given = await givenRecord(t);
    const newPhone = uniquePhone();
    const put = await call(app, 'PUT', `/api/v1/clients/${given.id}`, {
      token: given.owner.token,
      body: { first_name: 'Client1Changed', last_name: 'Client1Changed', patronymic: 'Client1Changed', phone: newPhone, address: 'Client1Changed', links: { vk: 'vk.com' } },
    });
    t.equal(put.status, 200);
    return { ...given, newPhone, put };
  };
  /** The changed record, patched and then removed by its owner: 204. */
  const givenRemoved = async (t: Test) => {
    const given = await givenChanged(t);
    const patch = await call(app, 'PATCH', `/api/v1/clients/${given.id}`, { token: given.owner.token, body: { first_name: 'Client1', links: { vk2: 'vk.com' } } });
    t.equal(patch.status, 200);
    const removed = await call(app, 'DELETE', `/api/v1/organizations/${given.org}/clients/${given.id}`, { token: given.owner.token });
    t.equal(removed.status, 204);
    return given;
  };

  t.test('seed 000: a record without its required fields is 400 listing every field, the unknown `organization` too', async (t) => {
    const { owner, org } = await givenOrganization(runtime);
    const empty = await call(app, 'POST', clients(org), { token: owner.token, body: { organization: [1] } });
    t.equal(empty.status, 400);
    // The seed's `organization` is no field of a record (the path names the organization): refused, by name.
    t.match(empty.body, { detail: 'Invalid input.', errors: { first_name: ['This field is required.'], phone: ['This field is required.'], organization: [/^Unknown field/] } });
    t.same(Object.keys(empty.body.errors).sort(), ['first_name', 'organization', 'phone']);
  });

  t.test('seed 000: the owner opens a record: 201, and a record is no login', async (t) => {
    const { org, phone, created } = await givenRecord(t);
    t.match(created.body, { organization_id: org, first_name: 'Client1', last_name: '', patronymic: '', phone, address: '', links: { vk: 'vk.com' }, linked: false, shared: {} });
    t.notOk('confirmed_phone' in created.body || 'password' in created.body, 'a record is no login: no verification, no password');
  });

  t.test('seed 000: the list shows the organization’s records, in one page', async (t) => {
    const { owner, org, id } = await givenRecord(t);
    const list = await call(app, 'GET', clients(org), { token: owner.token });
    t.equal(list.status, 200);
    t.same(list.body.items.map((c: { id: string }) => c.id), [id]);
    t.equal(list.body.next, null);
  });

  t.test('seed 000: PUT replaces the record', async (t) => {
    const { newPhone, put } = await givenChanged(t);
    t.match(put.body, { first_name: 'Client1Changed', last_name: 'Client1Changed', phone: newPhone, address: 'Client1Changed', links: { vk: 'vk.com' } });
  });

  t.test('seed 000: PUT with a password is 403: a record has no password staff could set', async (t) => {
    const { owner, id, newPhone } = await givenChanged(t);
    const putPassword = await call(app, 'PUT', `/api/v1/clients/${id}`, { token: owner.token, body: { first_name: 'Client1Changed', phone: newPhone, password: 'client1client1changed' } });
    t.equal(putPassword.status, 403, 'a record has no password staff could set');
    t.same(putPassword.body, FORBIDDEN);
  });

  t.test('seed 000: PUT requires the whole record', async (t) => {
    const { owner, id } = await givenChanged(t);
    const putMissing = await call(app, 'PUT', `/api/v1/clients/${id}`, { token: owner.token, body: { address: 'x' } });
    t.same(Object.keys(putMissing.body.errors).sort(), ['first_name', 'phone'], 'PUT requires the whole record');
  });

  t.test('seed 000: PATCH changes the fields given and replaces links as a whole', async (t) => {
    const { owner, id } = await givenChanged(t);
    const patch = await call(app, 'PATCH', `/api/v1/clients/${id}`, { token: owner.token, body: { first_name: 'Client1', links: { vk2: 'vk.com' } } });
    t.equal(patch.status, 200);
    t.match(patch.body, { first_name: 'Client1', last_name: 'Client1Changed', links: { vk2: 'vk.com' } });
    t.notOk('vk' in patch.body.links, 'links are replaced as a whole');
  });

  t.test('seed 000: a removed record is gone from the list and no longer the organization’s to see', async (t) => {
    const { owner, org, id } = await givenRemoved(t);
    t.same((await call(app, 'GET', clients(org), { token: owner.token })).body.items, []);
    t.same((await call(app, 'GET', `/api/v1/clients/${id}`, { token: owner.token })).body, NOT_FOUND, 'no longer theirs to see');
  });

  t.test('seed 000: removing a removed record is 404', async (t) => {
    const { owner, org, id } = await givenRemoved(t);
    t.equal((await call(app, 'DELETE', `/api/v1/organizations/${org}/clients/${id}`, { token: owner.token })).status, 404);
  });

  t.test('seed 000: neither the password sent with a record nor its contact phone is a login', async (t) => {
    const { phone, newPhone } = await givenRemoved(t);
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'client1client1' } })).status, 401, 'the account the seed 000 password made signs in only once its phone is verified');
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: newPhone, password: 'client1client1' } })).status, 401, 'a record’s contact phone is no login');
  });

  t.test('seed 000: a removed record’s history remains in the log', async (t) => {
    const { id } = await givenRemoved(t);
    t.same(await streamTypes(runtime, clientRecordStream(id)), ['ClientRecordOpened', 'ClientRecordChanged', 'ClientRecordChanged', 'ClientRecordRemoved'], 'the record’s history remains in the log');
  });

  /** A person, and A's record of them (added by a phone written the national way): 201. */
  const givenPersonInA = async (t: Test) => {
    const phone = uniquePhone();
    const self = await person(runtime, phone, { first_name: 'Self' });
    const a = await givenOrganization(runtime, 'A');
    const b = await givenOrganization(runtime, 'B');
    const national = `8 ${phone.slice(2, 5)} ${phone.slice(5, 8)} ${phone.slice(8, 10)} ${phone.slice(10)}`;
    const addedA = await call(app, 'POST', clients(a.org), { token: a.owner.token, body: { first_name: 'Overwritten?', phone: national } });
    t.equal(addedA.status, 201, '201: a new record of A, whoever holds the phone');
    return { self, phone, a, b, addedA };
  };
  const givenPersonInAandB = async (t: Test) => {
    const given = await givenPersonInA(t);
    const addedB = await call(app, 'POST', clients(given.b.org), { token: given.b.owner.token, body: { first_name: 'X', phone: given.phone } });
    t.equal(addedB.status, 201);
    return { ...given, addedB };
  };

  t.test('a phone that is already a person’s: the organization opens a record of its own, the account untouched', async (t) => {
    const { self, phone, a, addedA } = await givenPersonInA(t);
    t.not(addedA.body.id, self.id, 'the record is not the account');
    t.match(addedA.body, { organization_id: a.org, first_name: 'Overwritten?', phone, linked: false });
    const own = await call(app, 'GET', '/api/v1/clients/me', { token: self.token });
    t.equal(own.body.first_name, 'Self', 'the person’s profile is not overwritten');
    t.same(own.body.organizations, [], 'nothing is linked without the person');
  });

  t.test('a second organization’s record of the same phone tells it nothing of the first, nor of the account', async (t) => {
    const { self, a, b, addedA, addedB } = await givenPersonInAandB(t);
    t.equal(addedB.body.organization_id, b.org);
    for (const secret of [a.org, addedA.body.id as string, 'Overwritten?', self.id]) t.notOk(JSON.stringify(addedB.body).includes(secret), 'B does not learn that the client is also A’s, nor the account');
  });

  t.test('neither organization reads the other’s record of the same person', async (t) => {
    const { a, b, addedA, addedB } = await givenPersonInAandB(t);
    t.same((await call(app, 'GET', `/api/v1/clients/${addedA.body.id}`, { token: b.owner.token })).body, NOT_FOUND, 'B cannot read A’s record');
    t.same((await call(app, 'GET', `/api/v1/clients/${addedB.body.id}`, { token: a.owner.token })).body, NOT_FOUND, 'nor A B’s');
  });

  t.test('once the person links both, they see both; each organization still sees only its own', async (t) => {
    const { self, a, b, addedA, addedB } = await givenPersonInAandB(t);
    await acceptRecord(runtime, self, addedA.body.id as string);
    await acceptRecord(runtime, self, addedB.body.id as string);
    const linked = await call(app, 'GET', '/api/v1/clients/me', { token: self.token });
    t.same(linked.body.organizations.map((o: { name: string }) => o.name).sort(), ['A', 'B'], 'the person sees all of theirs once linked');
    t.equal(linked.body.first_name, 'Self');
    const seenByA = await call(app, 'GET', `/api/v1/clients/${addedA.body.id}`, { token: a.owner.token });
    t.match(seenByA.body, { organization_id: a.org, first_name: 'Overwritten?', linked: true });
    t.notOk(JSON.stringify(seenByA.body).includes(b.org), 'A still sees nothing of B');
  });

  const names = ['Petrov', 'Ivanov', 'Sidorov', 'Ivanova', 'Abramov'];
  /** Five records, in this order, their phones sharing a prefix (a list is the organization's own: other books may hold the same phones). */
  const givenFive = async (t: Test) => {
    const { owner, org } = await givenOrganization(runtime);
    for (const [i, last] of names.entries()) {
      const r = await call(app, 'POST', clients(org), { token: owner.token, body: { first_name: 'N', last_name: last, phone: `+7951000000${i}` } });
      t.equal(r.status, 201);
    }
    return { owner, org };
  };
  const lastNames = (page: { body: Record<string, any> }) => (page.body.items as { last_name: string }[]).map((c) => c.last_name);

  t.test('list: search by a part of a name', async (t) => {
    const { owner, org } = await givenFive(t);
    t.same(lastNames(await call(app, 'GET', `${clients(org)}?search=ivan`, { token: owner.token })), ['Ivanov', 'Ivanova']);
  });

  t.test('list: search by a whole phone', async (t) => {
    const { owner, org } = await givenFive(t);
    t.same(lastNames(await call(app, 'GET', `${clients(org)}?search=%2B79510000003`, { token: owner.token })), ['Ivanova']);
  });

  t.test('list: search by a phone prefix', async (t) => {
    const { owner, org } = await givenFive(t);
    t.same(lastNames(await call(app, 'GET', `${clients(org)}?search=7951000000`, { token: owner.token })).length, 5, 'a phone prefix');
  });

  t.test('list: sorted by registration date, newest first', async (t) => {
    const { owner, org } = await givenFive(t);
    t.same(lastNames(await call(app, 'GET', `${clients(org)}?sort=-registration_date`, { token: owner.token })), [...names].reverse());
  });

  t.test('list: cursor pages give each client once, in order, while a new one sorts before the cursor', async (t) => {
    const { owner, org } = await givenFive(t);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await call(app, 'GET', `${clients(org)}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: owner.token });
      seen.push(...lastNames(page));
      if (pages === 0) await call(app, 'POST', clients(org), { token: owner.token, body: { first_name: 'N', last_name: 'Aaronov', phone: '+79510000009' } });
      cursor = page.body.next as string | null;
      if (!cursor) break;
    }
    t.same(seen, ['Abramov', 'Ivanov', 'Ivanova', 'Petrov', 'Sidorov'], 'each client once, in order, while a new one sorts before the cursor');
  });

  t.test('list: a cursor that is no cursor is 400', async (t) => {
    const { owner, org } = await givenOrganization(runtime);
    t.equal((await call(app, 'GET', `${clients(org)}?cursor=garbage`, { token: owner.token })).status, 400);
  });
});

t.test('a person’s login phone and password', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => new Date(clock) });
  const { app } = runtime;
  const login = (phone: string, password: string) => call(app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
  /** A person who moved their login to a new phone (200) and has not verified it yet. */
  const givenNewPhone = async (t: Test) => {
    const self = await person(runtime, uniquePhone(), {}, 'client-password');
    const before = runtime.logs.length;
    const newPhone = uniquePhone();
    const changed = await call(app, 'PATCH', `/api/v1/clients/${self.id}/phone_number`, { token: self.token, body: { phone_number: newPhone, current_password: 'client-password' } });
    t.equal(changed.status, 200);
    return { self, before, newPhone, changed };
  };
  /** ...who then verified it with the code sent to it: 200. */
  const givenVerifiedNewPhone = async (t: Test) => {
    const given = await givenNewPhone(t);
    const code = await smsCode(runtime, given.newPhone, given.before);
    t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: given.newPhone, code } })).status, 200);
    return given;
  };

  t.test('a new login phone is unconfirmed, and no login until verified', async (t) => {
    const { changed, newPhone } = await givenNewPhone(t);
    t.equal(changed.body.confirmed_phone, false);
    t.equal((await login(newPhone, 'client-password')).status, 401);
  });

  t.test('the old phone is no longer a login once the login phone changed', async (t) => {
    const { self } = await givenNewPhone(t);
    t.equal((await login(self.phone, 'client-password')).status, 401, 'the old phone is no longer theirs');
  });

  t.test('a verified new login phone signs in with the password', async (t) => {
    const { newPhone } = await givenVerifiedNewPhone(t);
    t.equal((await login(newPhone, 'client-password')).status, 200);
  });

  t.test('the old number is given back and can be registered again', async (t) => {
    const { self } = await givenVerifiedNewPhone(t);
    t.same(await streamTypes(runtime, runtime.deps.contacts.phone(self.phone)), ['ContactOwned', 'ContactReleased'], 'the old number was given back');
    clock += 61_000; // past the cooldown of the code the old number was sent at registration
    t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: self.phone } })).status, 201, 'the released number can be registered again');
  });

  t.test('a number another client verified is 409', async (t) => {
    const { self } = await givenVerifiedNewPhone(t);
    const other = await person(runtime, uniquePhone());
    const taken = await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: self.token, body: { phone: other.phone, current_password: 'client-password' } });
    t.equal(taken.status, 409, 'a number another client verified');
    t.same(taken.body.errors, { phone: ['This phone number is already taken.'] });
  });

  t.test('a new password ends every session, and is the password from then on', async (t) => {
    const { self, newPhone } = await givenVerifiedNewPhone(t);
    const newToken = await signIn(runtime, newPhone, 'client-password');
    t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}/password`, { token: newToken, body: { password: 'brand-new-password', current_password: 'client-password' } })).status, 200);
    t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: newToken })).status, 403, 'sessions end with a new password');
    t.equal((await login(newPhone, 'brand-new-password')).status, 200);
  });

  t.test('another client’s account is not found', async (t) => {
    const { self } = await givenNewPhone(t);
    const other = await person(runtime, uniquePhone());
    t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}/additional_info`, { token: other.token, body: { additional_info: 'x' } })).status, 404, 'another client’s account is not found');
  });
});
