import { sql } from 'kysely';
import t from 'tap';
import { userDecider } from '../../src/commands/identity/user.js';
import { clientStream } from '../../src/events/clients/client.js';
import { clientRecordAuditStream, clientRecordStream } from '../../src/events/clients/client-record.js';
import { userStream } from '../../src/events/identity/user.js';
import { clientAccountsProjection } from '../../src/projections/clients/client-accounts.js';
import { clientRecordsProjection } from '../../src/projections/clients/client-records.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { acceptRecord, addRecord, person, signIn, streamTypes } from '../helpers/clients.js';
import { addMember, organizationOf, staffMember, type StaffMember } from '../helpers/staff.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// An organization's client book (seed 000): its own records of its clients,
// never a person's account (docs/trust-model.md); and the person's own
// account beside it.

const NOT_FOUND = { detail: 'Not found.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

async function platformAdmin(runtime: TestRuntime, email: string): Promise<StaffMember> {
  const admin = await staffMember(runtime, email);
  const { position } = await runtime.deps.handle(
    userDecider,
    userStream(admin.id),
    { type: 'GrantPlatformAdmin', data: { userId: admin.id, now: new Date().toISOString() } },
    { actor: { kind: 'system' }, correlationId: 'test', causationId: 'test' },
  );
  await runtime.deps.awaitProjections(position, ['users']);
  return admin;
}

/**
 * Until the database clock has passed the millisecond of the last event
 * written, so the next event is later to an `as_of` (which has milliseconds).
 * A wait on a condition, not on a fixed time.
 */
async function pastLastEvent(runtime: TestRuntime): Promise<void> {
  const { db } = runtime.connection;
  const { rows: [last] } = await sql<{ at: Date }>`select max(created_at) as at from events`.execute(db);
  const lastMs = new Date(last!.at).getTime();
  for (;;) {
    const { rows } = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db);
    if (new Date(rows[0]!.now).getTime() > lastMs) return;
  }
}

t.test('seed 000 acceptance: create (400 lists every field), list, PUT, PATCH, DELETE of the organization’s own record', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.test');
  const org = await organizationOf(runtime, owner, 'Organization2');

  const empty = await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: owner.token, body: { organization: [1] } });
  t.equal(empty.status, 400);
  // The seed's `organization` is no field of a record (the path names the organization): refused, by name.
  t.match(empty.body, { detail: 'Invalid input.', errors: { first_name: ['This field is required.'], phone: ['This field is required.'], organization: [/^Unknown field/] } });
  t.same(Object.keys(empty.body.errors).sort(), ['first_name', 'organization', 'phone']);

  const created = await call(app, 'POST', `/api/v1/organizations/${org}/clients`, {
    token: owner.token,
    body: { first_name: 'Client1', phone: '+79517586284', password: 'client1client1', links: { vk: 'vk.com' } },
  });
  t.equal(created.status, 201);
  t.match(created.body, { organization_id: org, first_name: 'Client1', last_name: '', patronymic: '', phone: '+79517586284', address: '', links: { vk: 'vk.com' }, linked: false, shared: {} });
  t.notOk('confirmed_phone' in created.body || 'password' in created.body, 'a record is no login: no verification, no password');
  const id = created.body.id as string;

  const list = await call(app, 'GET', `/api/v1/organizations/${org}/clients`, { token: owner.token });
  t.equal(list.status, 200);
  t.same(list.body.items.map((c: { id: string }) => c.id), [id]);
  t.equal(list.body.next, null);

  const put = await call(app, 'PUT', `/api/v1/clients/${id}`, {
    token: owner.token,
    body: { first_name: 'Client1Changed', last_name: 'Client1Changed', patronymic: 'Client1Changed', phone: '+79517486294', address: 'Client1Changed', links: { vk: 'vk.com' } },
  });
  t.equal(put.status, 200);
  t.match(put.body, { first_name: 'Client1Changed', last_name: 'Client1Changed', phone: '+79517486294', address: 'Client1Changed', links: { vk: 'vk.com' } });
  const putPassword = await call(app, 'PUT', `/api/v1/clients/${id}`, { token: owner.token, body: { first_name: 'Client1Changed', phone: '+79517486294', password: 'client1client1changed' } });
  t.equal(putPassword.status, 403, 'a record has no password staff could set');
  t.same(putPassword.body, FORBIDDEN);
  const putMissing = await call(app, 'PUT', `/api/v1/clients/${id}`, { token: owner.token, body: { address: 'x' } });
  t.same(Object.keys(putMissing.body.errors).sort(), ['first_name', 'phone'], 'PUT requires the whole record');

  const patch = await call(app, 'PATCH', `/api/v1/clients/${id}`, { token: owner.token, body: { first_name: 'Client1', links: { vk2: 'vk.com' } } });
  t.equal(patch.status, 200);
  t.match(patch.body, { first_name: 'Client1', last_name: 'Client1Changed', links: { vk2: 'vk.com' } });
  t.notOk('vk' in patch.body.links, 'links are replaced as a whole');

  const removed = await call(app, 'DELETE', `/api/v1/organizations/${org}/clients/${id}`, { token: owner.token });
  t.equal(removed.status, 204);
  t.same((await call(app, 'GET', `/api/v1/organizations/${org}/clients`, { token: owner.token })).body.items, []);
  t.same((await call(app, 'GET', `/api/v1/clients/${id}`, { token: owner.token })).body, NOT_FOUND, 'no longer theirs to see');
  t.equal((await call(app, 'DELETE', `/api/v1/organizations/${org}/clients/${id}`, { token: owner.token })).status, 404);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79517586284', password: 'client1client1' } })).status, 401, 'the account the seed 000 password made signs in only once its phone is verified');
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79517486294', password: 'client1client1' } })).status, 401, 'a record’s contact phone is no login');
  t.same(await streamTypes(runtime, clientRecordStream(id)), ['ClientRecordOpened', 'ClientRecordChanged', 'ClientRecordChanged', 'ClientRecordRemoved'], 'the record’s history remains in the log');
});

t.test('a phone that is already a person’s: each organization opens its own record; the account and the other organization stay private until the person links', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const self = await person(runtime, '+79092479999', { first_name: 'Self' });
  const ownerA = await staffMember(runtime, 'a@clinic.test');
  const ownerB = await staffMember(runtime, 'b@clinic.test');
  const a = await organizationOf(runtime, ownerA, 'A');
  const b = await organizationOf(runtime, ownerB, 'B');
  const addedA = await call(app, 'POST', `/api/v1/organizations/${a}/clients`, { token: ownerA.token, body: { first_name: 'Overwritten?', phone: '8 909 247 99 99' } });
  t.equal(addedA.status, 201, '201: a new record of A, whoever holds the phone');
  t.not(addedA.body.id, self.id, 'the record is not the account');
  t.match(addedA.body, { organization_id: a, first_name: 'Overwritten?', phone: '+79092479999', linked: false });
  const own = await call(app, 'GET', '/api/v1/clients/me', { token: self.token });
  t.equal(own.body.first_name, 'Self', 'the person’s profile is not overwritten');
  t.same(own.body.organizations, [], 'nothing is linked without the person');

  const addedB = await call(app, 'POST', `/api/v1/organizations/${b}/clients`, { token: ownerB.token, body: { first_name: 'X', phone: '+79092479999' } });
  t.equal(addedB.body.organization_id, b);
  for (const secret of [a, addedA.body.id as string, 'Overwritten?', self.id]) t.notOk(JSON.stringify(addedB.body).includes(secret), 'B does not learn that the client is also A’s, nor the account');
  t.same((await call(app, 'GET', `/api/v1/clients/${addedA.body.id}`, { token: ownerB.token })).body, NOT_FOUND, 'B cannot read A’s record');
  t.same((await call(app, 'GET', `/api/v1/clients/${addedB.body.id}`, { token: ownerA.token })).body, NOT_FOUND, 'nor A B’s');

  await acceptRecord(runtime, self, addedA.body.id as string);
  await acceptRecord(runtime, self, addedB.body.id as string);
  const linked = await call(app, 'GET', '/api/v1/clients/me', { token: self.token });
  t.same(linked.body.organizations.map((o: { name: string }) => o.name).sort(), ['A', 'B'], 'the person sees all of theirs once linked');
  t.equal(linked.body.first_name, 'Self');
  const seenByA = await call(app, 'GET', `/api/v1/clients/${addedA.body.id}`, { token: ownerA.token });
  t.match(seenByA.body, { organization_id: a, first_name: 'Overwritten?', linked: true });
  t.notOk(JSON.stringify(seenByA.body).includes(b), 'A still sees nothing of B');
});

t.test('list: search by name or phone prefix, sort, stable cursor pages', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.test');
  const org = await organizationOf(runtime, owner);
  const names = ['Petrov', 'Ivanov', 'Sidorov', 'Ivanova', 'Abramov'];
  for (const [i, last] of names.entries()) {
    const r = await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: owner.token, body: { first_name: 'N', last_name: last, phone: `+7951000000${i}` } });
    t.equal(r.status, 201);
  }
  const lastNames = (page: { body: Record<string, any> }) => (page.body.items as { last_name: string }[]).map((c) => c.last_name);
  t.same(lastNames(await call(app, 'GET', `/api/v1/organizations/${org}/clients?search=ivan`, { token: owner.token })), ['Ivanov', 'Ivanova']);
  t.same(lastNames(await call(app, 'GET', `/api/v1/organizations/${org}/clients?search=%2B79510000003`, { token: owner.token })), ['Ivanova']);
  t.same(lastNames(await call(app, 'GET', `/api/v1/organizations/${org}/clients?search=7951000000`, { token: owner.token })).length, 5, 'a phone prefix');
  t.same(lastNames(await call(app, 'GET', `/api/v1/organizations/${org}/clients?sort=-registration_date`, { token: owner.token })), [...names].reverse());

  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const page = await call(app, 'GET', `/api/v1/organizations/${org}/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: owner.token });
    seen.push(...lastNames(page));
    if (pages === 0) await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: owner.token, body: { first_name: 'N', last_name: 'Aaronov', phone: '+79510000009' } });
    cursor = page.body.next as string | null;
    if (!cursor) break;
  }
  t.same(seen, ['Abramov', 'Ivanov', 'Ivanova', 'Petrov', 'Sidorov'], 'each client once, in order, while a new one sorts before the cursor');
  t.equal((await call(app, 'GET', `/api/v1/organizations/${org}/clients?cursor=garbage`, { token: owner.token })).status, 400);
});

t.test('a new login phone is verified again before a password login; a new password ends every session', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => new Date(clock) });
  const { app } = runtime;
  const self = await person(runtime, '+79092479999', {}, 'client-password');
  const before = runtime.logs.length;
  const changed = await call(app, 'PATCH', `/api/v1/clients/${self.id}/phone_number`, { token: self.token, body: { phone_number: '+79001112233', current_password: 'client-password' } });
  t.equal(changed.status, 200);
  t.equal(changed.body.confirmed_phone, false);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79001112233', password: 'client-password' } })).status, 401);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79092479999', password: 'client-password' } })).status, 401, 'the old phone is no longer theirs');
  const code = await smsCode(runtime, '+79001112233', before);
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: '+79001112233', code } })).status, 200);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79001112233', password: 'client-password' } })).status, 200);
  t.same(await streamTypes(runtime, 'phone-+79092479999'), ['ContactOwned', 'ContactReleased'], 'the old number was given back');
  clock += 61_000; // past the cooldown of the code the old number was sent at registration
  t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79092479999' } })).status, 201, 'the released number can be registered again');
  const other = await person(runtime, '+79005554433');
  const taken = await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: self.token, body: { phone: '+79005554433', current_password: 'client-password' } });
  t.equal(taken.status, 409, 'a number another client verified');
  t.same(taken.body.errors, { phone: ['This phone number is already taken.'] });

  const newToken = await signIn(runtime, '+79001112233', 'client-password');
  t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}/password`, { token: newToken, body: { password: 'brand-new-password', current_password: 'client-password' } })).status, 200);
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: newToken })).status, 403, 'sessions end with a new password');
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79001112233', password: 'brand-new-password' } })).status, 200);
  t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}/additional_info`, { token: other.token, body: { additional_info: 'x' } })).status, 404, 'another client’s account is not found');
});

t.test('authorization matrix on client routes: a person’s account, an organization’s record', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@a.test');
  const org = await organizationOf(runtime, owner, 'A');
  const staff: Record<string, StaffMember> = { owner };
  for (const role of ['admin', 'manager', 'specialist', 'auditor']) {
    staff[role] = await staffMember(runtime, `${role}@a.test`);
    await addMember(runtime, org, owner, staff[role]!, role);
  }
  const outsiderOwner = await staffMember(runtime, 'owner@b.test');
  await organizationOf(runtime, outsiderOwner, 'B');
  const admin = await platformAdmin(runtime, 'root@platform.test');
  const self = await person(runtime, '+79092479999');
  const stranger = await person(runtime, '+79092478888');
  const record = await addRecord(runtime, org, owner.token, { first_name: 'x', phone: '+79092479999' });
  await acceptRecord(runtime, self, record);

  const routes = (id: string) =>
    ({
      read: ['GET', `/api/v1/clients/${id}`, undefined],
      write: ['PATCH', `/api/v1/clients/${id}/additional_info`, { additional_info: 'note' }],
      history: ['GET', `/api/v1/clients/${id}/history`, undefined],
      list: ['GET', `/api/v1/organizations/${org}/clients`, undefined],
    }) as const;
  type Action = keyof ReturnType<typeof routes>;
  const who: Record<string, string | undefined> = {
    anonymous: undefined,
    self: self.token,
    'another client': stranger.token,
    owner: owner.token,
    admin: staff.admin!.token,
    manager: staff.manager!.token,
    specialist: staff.specialist!.token,
    auditor: staff.auditor!.token,
    'staff of another organization': outsiderOwner.token,
    'platform admin': admin.token,
  };
  // The record: its organization's staff by role, a platform admin; nobody else, the linked person included.
  const onRecord: Record<string, Record<Action, number>> = {
    anonymous: { read: 401, write: 401, history: 401, list: 401 },
    self: { read: 404, write: 404, history: 404, list: 403 },
    'another client': { read: 404, write: 404, history: 404, list: 403 },
    owner: { read: 200, write: 200, history: 200, list: 200 },
    admin: { read: 200, write: 200, history: 200, list: 200 },
    manager: { read: 200, write: 200, history: 403, list: 200 },
    specialist: { read: 200, write: 403, history: 403, list: 200 },
    auditor: { read: 200, write: 403, history: 200, list: 200 },
    'staff of another organization': { read: 404, write: 404, history: 404, list: 404 },
    'platform admin': { read: 200, write: 200, history: 200, list: 200 },
  };
  // The account: the person; a platform admin reads it, and changes it only with a reason (none given here).
  const onAccount: Record<string, Record<Exclude<Action, 'list'>, number>> = {
    anonymous: { read: 401, write: 401, history: 401 },
    self: { read: 200, write: 200, history: 200 },
    'another client': { read: 404, write: 404, history: 404 },
    owner: { read: 404, write: 404, history: 404 },
    admin: { read: 404, write: 404, history: 404 },
    manager: { read: 404, write: 404, history: 404 },
    specialist: { read: 404, write: 404, history: 404 },
    auditor: { read: 404, write: 404, history: 404 },
    'staff of another organization': { read: 404, write: 404, history: 404 },
    'platform admin': { read: 200, write: 400, history: 200 },
  };
  for (const [name, token] of Object.entries(who)) {
    for (const [action, [method, url, body]] of Object.entries(routes(record))) {
      const reply = await call(app, method, url, { ...(token ? { token } : {}), ...(body ? { body } : {}) });
      t.equal(reply.status, onRecord[name]![action as Action], `record: ${name} ${action}`);
    }
    for (const [action, [method, url, body]] of Object.entries(routes(self.id))) {
      if (action === 'list') continue;
      const reply = await call(app, method, url, { ...(token ? { token } : {}), ...(body ? { body } : {}) });
      t.equal(reply.status, onAccount[name]![action as Exclude<Action, 'list'>], `account: ${name} ${action}`);
    }
  }
  const withReason = await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: admin.token, body: { additional_info: 'fixed for the person', reason: 'support request 42' } });
  t.equal(withReason.status, 200, 'a platform admin changes an account with a reason');
  t.match((await runtime.store.readStream(clientStream(self.id))).at(-1), { type: 'ClientProfileChanged', metadata: { actor: { id: admin.id }, reason: 'support request 42' } }, 'which is recorded');
});

t.test('history: every change with its actor; as_of gives the profile of that moment; looks are recorded; rebuild agrees', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@a.test');
  const org = await organizationOf(runtime, owner, 'A');
  const manager = await staffMember(runtime, 'manager@a.test');
  await addMember(runtime, org, owner, manager, 'manager');
  const self = await person(runtime, '+79092479999', { first_name: 'Anna' });
  const record = await addRecord(runtime, org, owner.token, { first_name: 'Olga', phone: '+79092479999' });
  await pastLastEvent(runtime);
  await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: self.token, body: { first_name: 'Anya' } });
  await pastLastEvent(runtime);
  await call(app, 'PATCH', `/api/v1/clients/${record}`, { token: manager.token, body: { last_name: 'Ivanova', additional_info: 'likes dogs' } });
  await pastLastEvent(runtime);
  await call(app, 'PATCH', `/api/v1/clients/${record}/full_name`, { token: owner.token, body: { first_name: 'Olga-Maria' } });
  await acceptRecord(runtime, self, record);

  type Item = { type: string; actor: { kind: string; id: string | null }; changes: Record<string, any>; occurred_at: string; correlation_id: string; sequence: number };
  const history = await call(app, 'GET', `/api/v1/clients/${record}/history`, { token: owner.token });
  t.equal(history.status, 200);
  const items = history.body.items as Item[];
  t.same(items.map((e) => e.type), ['ClientRecordOpened', 'ClientRecordChanged', 'ClientRecordChanged', 'ClientRecordLinked', 'ClientRecordHistoryViewed'], 'the record’s own stream and the looks at it');
  const changes = items.filter((e) => e.type === 'ClientRecordChanged');
  t.same(changes.map((e) => [e.actor.kind, e.actor.id]), [['user', manager.id], ['user', owner.id]], 'who did what');
  t.same(changes.map((e) => e.changes.changes), [{ last_name: 'Ivanova', additional_info: 'likes dogs' }, { first_name: 'Olga-Maria' }], 'what changed');
  t.same(items.find((e) => e.type === 'ClientRecordLinked')!.actor, { kind: 'client', id: null }, 'the person who linked is named by kind only');
  t.ok(items.every((e) => typeof e.correlation_id === 'string'));
  t.notOk(JSON.stringify(items).includes('Anya'), 'the person’s own account changes are not the record’s history');

  const names = [];
  for (const event of [items[0]!, ...changes]) {
    const then = await call(app, 'GET', `/api/v1/clients/${record}/history?as_of=${encodeURIComponent(event.occurred_at)}`, { token: owner.token });
    t.equal(then.status, 200);
    names.push([then.body.profile.first_name, then.body.profile.last_name]);
  }
  t.same(names, [['Olga', ''], ['Olga', 'Ivanova'], ['Olga-Maria', 'Ivanova']], 'the record of each moment');
  const before = await call(app, 'GET', `/api/v1/clients/${record}/history?as_of=2000-01-01T00:00:00Z`, { token: owner.token });
  t.equal(before.status, 404);

  const page = await call(app, 'GET', `/api/v1/clients/${record}/history?limit=2`, { token: owner.token });
  t.equal(page.body.items.length, 2);
  t.equal(page.body.next, '2');
  const all = await call(app, 'GET', `/api/v1/clients/${record}/history?limit=500`, { token: owner.token });
  const views = all.body.items.filter((e: Item) => e.type === 'ClientRecordHistoryViewed');
  t.equal(views.length, 6, 'every served look is recorded (as_of ones, pages, this one); the refused one is not');
  t.same(views[0].actor, { kind: 'user', id: owner.id });
  t.same(all.body.items.map((e: Item) => e.sequence), all.body.items.map((_: Item, i: number) => i + 1), 'numbered 1..n');

  const mine = await call(app, 'GET', `/api/v1/clients/${self.id}/history`, { token: self.token });
  const mineItems = mine.body.items as Item[];
  t.same(mineItems.map((e) => e.type), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified', 'ClientProfileChanged', 'ClientLinkedToRecord', 'ClientHistoryViewed'], 'the person’s view: their account and the looks at it');
  t.same(mineItems.find((e) => e.type === 'ClientProfileChanged')!.actor, { kind: 'client', id: self.id });
  t.notOk(JSON.stringify(mineItems).includes('likes dogs'), 'not the organization’s notes');
  const named = await call(app, 'GET', `/api/v1/clients/${self.id}/history?as_of=${encodeURIComponent(mineItems[3]!.occurred_at)}`, { token: self.token });
  t.match(named.body.profile, { first_name: 'Anya', confirmed_phone: true });

  const recordBefore = (await call(app, 'GET', `/api/v1/clients/${record}`, { token: owner.token })).body;
  const listBefore = (await call(app, 'GET', `/api/v1/organizations/${org}/clients`, { token: owner.token })).body;
  const accountBefore = (await call(app, 'GET', '/api/v1/clients/me', { token: self.token })).body;
  t.match(recordBefore, { first_name: 'Olga-Maria', linked: true, additional_info: 'likes dogs' });
  await rebuildProjection(runtime.connection.db, runtime.store, clientRecordsProjection);
  await rebuildProjection(runtime.connection.db, runtime.store, clientAccountsProjection);
  t.same((await call(app, 'GET', `/api/v1/clients/${record}`, { token: owner.token })).body, recordBefore, 'a rebuild gives the same record');
  t.same((await call(app, 'GET', `/api/v1/organizations/${org}/clients`, { token: owner.token })).body, listBefore, 'the same list');
  t.same((await call(app, 'GET', '/api/v1/clients/me', { token: self.token })).body, accountBefore, 'and the same account');
});

t.test('npm run cli -- clients history <id> prints an account’s or a record’s history as JSON lines and records the look', async (t) => {
  const runtime = await startRuntime(t);
  const self = await person(runtime, '+79092479999');
  const owner = await staffMember(runtime, 'owner@a.test');
  const org = await organizationOf(runtime, owner, 'A');
  const record = await addRecord(runtime, org, owner.token, { first_name: 'x', phone: '+79092479999' });
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const cli = new URL('../../src/cli.js', import.meta.url).pathname;
  const env = { PATH: process.env.PATH ?? '', DATABASE_URL: runtime.config.databaseUrl!, DATA_DIR: runtime.config.dataDir, LOG_LEVEL: 'silent' };
  const history = async (id: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'clients', 'history', id], { env });
    return stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; actor: { kind: string } });
  };
  t.same((await history(self.id)).map((l) => l.type), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified']);
  const recorded = await runtime.connection.db.selectFrom('events').select(['type', 'metadata']).where('stream_id', '=', `client-audit-${self.id}`).execute();
  t.equal(recorded.length, 1);
  t.match(recorded[0]!.metadata, { actor: { kind: 'system', id: 'cli' } });

  t.same((await history(record)).map((l) => l.type), ['ClientRecordOpened'], 'a record’s history');
  const recordLooks = await runtime.connection.db.selectFrom('events').select(['type', 'metadata']).where('stream_id', '=', clientRecordAuditStream(record)).execute();
  t.match(recordLooks, [{ type: 'ClientRecordHistoryViewed', metadata: { actor: { kind: 'system', id: 'cli' } } }], 'the look is recorded on the record’s audit stream');
});
