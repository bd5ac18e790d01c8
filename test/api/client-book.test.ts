import t from 'tap';
import { userDecider } from '../../src/commands/user.js';
import { userStream } from '../../src/events/user.js';
import { addMember, organizationOf, staffMember, type StaffMember } from '../helpers/staff.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';

const NOT_FOUND = { detail: 'Not found.' };

async function platformAdmin(runtime: TestRuntime, email: string): Promise<StaffMember> {
  const admin = await staffMember(runtime, email);
  const { position } = await runtime.services.handle(
    userDecider,
    userStream(admin.id),
    { type: 'GrantPlatformAdmin', data: { userId: admin.id, now: new Date().toISOString() } },
    { actor: { kind: 'system' }, correlationId: 'test', causationId: 'test' },
  );
  await runtime.services.awaitProjections(position, ['users']);
  return admin;
}

async function clientSession(runtime: TestRuntime, phone: string, password = 'client-password') {
  const created = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone, password, first_name: 'Self' } });
  const login = await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
  return { id: created.body.client_id as string, token: login.body.access as string };
}

t.test('seed 000 acceptance: create (400 lists every field), list, PUT, PATCH, DELETE', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@clinic.test');
  const org = await organizationOf(runtime, owner, 'Organization2');

  const empty = await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: owner.token, body: { organization: [1] } });
  t.equal(empty.status, 400);
  t.same(empty.body, { detail: 'Invalid input.', errors: { first_name: ['This field is required.'], phone: ['This field is required.'] } });

  const created = await call(app, 'POST', `/api/v1/organizations/${org}/clients`, {
    token: owner.token,
    body: { first_name: 'Client1', phone: '+79517586284', password: 'client1client1', links: { vk: 'vk.com' } },
  });
  t.equal(created.status, 201);
  t.match(created.body, { first_name: 'Client1', last_name: '', patronymic: '', phone: '+79517586284', address: '', links: { vk: 'vk.com' }, confirmed_phone: false });
  t.same(created.body.organizations, [{ id: org, name: 'Organization2' }]);
  const id = created.body.id as string;

  const list = await call(app, 'GET', `/api/v1/organizations/${org}/clients`, { token: owner.token });
  t.equal(list.status, 200);
  t.same(list.body.items.map((c: { id: string }) => c.id), [id]);
  t.equal(list.body.next, null);

  const put = await call(app, 'PUT', `/api/v1/clients/${id}`, {
    token: owner.token,
    body: { first_name: 'Client1Changed', last_name: 'Client1Changed', patronymic: 'Client1Changed', phone: '+79517486294', address: 'Client1Changed', links: { vk: 'vk.com' }, password: 'client1client1changed' },
  });
  t.equal(put.status, 200);
  t.match(put.body, { first_name: 'Client1Changed', last_name: 'Client1Changed', phone: '+79517486294', address: 'Client1Changed', links: { vk: 'vk.com' } });
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
  const login = await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79517486294', password: 'client1client1changed' } });
  t.equal(login.status, 401, 'the new phone is not verified yet');
  const history = await runtime.connection.db.selectFrom('events').select('type').where('stream_id', '=', `client-${id}`).execute();
  t.ok(history.length >= 5, 'the person and their history remain');
});

t.test('a phone that is already a client: the same person joins, their profile and other organizations stay private', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const self = await clientSession(runtime, '+79092479999');
  const ownerA = await staffMember(runtime, 'a@clinic.test');
  const ownerB = await staffMember(runtime, 'b@clinic.test');
  const a = await organizationOf(runtime, ownerA, 'A');
  const b = await organizationOf(runtime, ownerB, 'B');
  const joinedA = await call(app, 'POST', `/api/v1/organizations/${a}/clients`, { token: ownerA.token, body: { first_name: 'Overwritten?', phone: '8 909 247 99 99' } });
  t.equal(joinedA.status, 200, '200: an existing client was added, not created');
  t.equal(joinedA.body.id, self.id);
  t.equal(joinedA.body.first_name, 'Self', 'the person’s profile is not overwritten');
  const joinedB = await call(app, 'POST', `/api/v1/organizations/${b}/clients`, { token: ownerB.token, body: { first_name: 'X', phone: '+79092479999' } });
  t.same(joinedB.body.organizations, [{ id: b, name: 'B' }], 'B does not learn that the client is also A’s');
  t.same((await call(app, 'GET', `/api/v1/clients/${self.id}`, { token: ownerA.token })).body.organizations, [{ id: a, name: 'A' }]);
  const own = await call(app, 'GET', '/api/v1/clients/me', { token: self.token });
  t.same(own.body.organizations.map((o: { name: string }) => o.name), ['A', 'B'], 'the client sees all of theirs');
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

t.test('a new phone is verified again before a password login; a new password ends every session', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const self = await clientSession(runtime, '+79092479999');
  const before = runtime.logs.length;
  const changed = await call(app, 'PATCH', `/api/v1/clients/${self.id}/phone_number`, { token: self.token, body: { phone_number: '+79001112233' } });
  t.equal(changed.status, 200);
  t.equal(changed.body.confirmed_phone, false);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79001112233', password: 'client-password' } })).status, 401);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79092479999', password: 'client-password' } })).status, 401, 'the old phone is no longer theirs');
  const code = await smsCode(runtime, '+79001112233', before);
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: '+79001112233', code } })).status, 200);
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79001112233', password: 'client-password' } })).status, 200);
  t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79092479999' } })).status, 201, 'the released number can be registered again');
  const other = await clientSession(runtime, '+79005554433');
  t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: self.token, body: { phone: '+79005554433' } })).status, 409, 'a number of another client');

  const newToken = (await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79001112233', password: 'client-password' } })).body.access;
  t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}/password`, { token: newToken, body: { password: 'brand-new-password' } })).status, 200);
  t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: newToken })).status, 403, 'sessions end with a new password');
  t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79001112233', password: 'brand-new-password' } })).status, 200);
  t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}/additional_info`, { token: other.token, body: { additional_info: 'x' } })).status, 404, 'another client’s record is not found');
});

t.test('authorization matrix on client routes', async (t) => {
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
  const self = await clientSession(runtime, '+79092479999');
  const stranger = await clientSession(runtime, '+79092478888');
  await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: owner.token, body: { first_name: 'x', phone: '+79092479999' } });

  const id = self.id;
  const routes = {
    read: ['GET', `/api/v1/clients/${id}`, undefined],
    write: ['PATCH', `/api/v1/clients/${id}/additional_info`, { additional_info: 'note' }],
    history: ['GET', `/api/v1/clients/${id}/history`, undefined],
    list: ['GET', `/api/v1/organizations/${org}/clients`, undefined],
  } as const;
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
  const expected: Record<string, Record<keyof typeof routes, number>> = {
    anonymous: { read: 401, write: 401, history: 401, list: 401 },
    self: { read: 200, write: 200, history: 200, list: 403 },
    'another client': { read: 404, write: 404, history: 404, list: 403 },
    owner: { read: 200, write: 200, history: 200, list: 200 },
    admin: { read: 200, write: 200, history: 200, list: 200 },
    manager: { read: 200, write: 200, history: 403, list: 200 },
    specialist: { read: 200, write: 403, history: 403, list: 200 },
    auditor: { read: 200, write: 403, history: 200, list: 200 },
    'staff of another organization': { read: 404, write: 404, history: 404, list: 404 },
    'platform admin': { read: 200, write: 200, history: 200, list: 200 },
  };
  for (const [name, token] of Object.entries(who)) {
    for (const [action, [method, url, body]] of Object.entries(routes)) {
      const reply = await call(app, method, url, { ...(token ? { token } : {}), ...(body ? { body } : {}) });
      t.equal(reply.status, expected[name]![action as keyof typeof routes], `${name} ${action}`);
    }
  }
});

t.test('history: every change with its actor; as_of gives the profile of that moment; looks are recorded; rebuild agrees', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const owner = await staffMember(runtime, 'owner@a.test');
  const org = await organizationOf(runtime, owner, 'A');
  const manager = await staffMember(runtime, 'manager@a.test');
  await addMember(runtime, org, owner, manager, 'manager');
  const self = await clientSession(runtime, '+79092479999');
  await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: owner.token, body: { first_name: 'x', phone: '+79092479999' } });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 15));
  await pause();
  await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: self.token, body: { first_name: 'Olga' } });
  await pause();
  await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: manager.token, body: { last_name: 'Ivanova', additional_info: 'likes dogs' } });
  await pause();
  await call(app, 'PATCH', `/api/v1/clients/${self.id}/full_name`, { token: owner.token, body: { first_name: 'Olga-Maria' } });

  const history = await call(app, 'GET', `/api/v1/clients/${self.id}/history`, { token: owner.token });
  t.equal(history.status, 200);
  const items = history.body.items as { type: string; actor: { kind: string; id: string | null }; changes: Record<string, unknown>; occurred_at: string; correlation_id: string }[];
  const changes = items.filter((e) => e.type === 'ClientProfileChanged');
  t.same(changes.map((e) => [e.actor.kind, e.actor.id]), [['client', self.id], ['user', manager.id], ['user', owner.id]], 'who did what');
  t.same(changes.map((e) => e.changes.changes), [{ first_name: 'Olga' }, { last_name: 'Ivanova', additional_info: 'likes dogs' }, { first_name: 'Olga-Maria' }], 'what changed');
  t.same(items[0]!.type, 'ClientRegistered');
  t.ok(items.every((e) => typeof e.correlation_id === 'string'));

  const firstNames = [];
  for (const event of changes) {
    const then = await call(app, 'GET', `/api/v1/clients/${self.id}/history?as_of=${encodeURIComponent(event.occurred_at)}`, { token: owner.token });
    t.equal(then.status, 200);
    firstNames.push([then.body.profile.first_name, then.body.profile.last_name]);
  }
  t.same(firstNames, [['Olga', ''], ['Olga', 'Ivanova'], ['Olga-Maria', 'Ivanova']], 'the profile of each moment');
  const before = await call(app, 'GET', `/api/v1/clients/${self.id}/history?as_of=2000-01-01T00:00:00Z`, { token: owner.token });
  t.equal(before.status, 404);

  const again = await call(app, 'GET', `/api/v1/clients/${self.id}/history?limit=2`, { token: self.token });
  t.equal(again.body.items.length, 2);
  t.equal(again.body.next, '2');
  const all = await call(app, 'GET', `/api/v1/clients/${self.id}/history?limit=500`, { token: self.token });
  const views = all.body.items.filter((e: { type: string }) => e.type === 'ClientHistoryViewed');
  t.ok(views.length >= 5, 'every look is recorded');
  t.same(views[0].actor, { kind: 'user', id: owner.id });

  const profileBefore = (await call(app, 'GET', `/api/v1/clients/${self.id}`, { token: owner.token })).body;
  const listBefore = (await call(app, 'GET', `/api/v1/organizations/${org}/clients`, { token: owner.token })).body;
  const { rebuildProjection } = await import('../../src/projections/rebuild.js');
  const { clientsProjection } = await import('../../src/projections/clients.js');
  await rebuildProjection(runtime.connection.db, runtime.store, clientsProjection);
  t.same((await call(app, 'GET', `/api/v1/clients/${self.id}`, { token: owner.token })).body, profileBefore, 'a rebuild gives the same profile');
  t.same((await call(app, 'GET', `/api/v1/organizations/${org}/clients`, { token: owner.token })).body, listBefore, 'and the same list');
});

t.test('npm run cli -- clients history <id> prints the history as JSON lines and records the look', async (t) => {
  const runtime = await startRuntime(t);
  const self = await clientSession(runtime, '+79092479999');
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const cli = new URL('../../src/cli.js', import.meta.url).pathname;
  const env = { PATH: process.env.PATH ?? '', DATABASE_URL: runtime.config.databaseUrl!, DATA_DIR: runtime.config.dataDir, LOG_LEVEL: 'silent' };
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'clients', 'history', self.id], { env });
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; actor: { kind: string } });
  t.same(lines.map((l) => l.type), ['ClientRegistered', 'PhoneVerificationRequested']);
  const recorded = await runtime.connection.db.selectFrom('events').select(['type', 'metadata']).where('stream_id', '=', `client-audit-${self.id}`).execute();
  t.equal(recorded.length, 1);
  t.match(recorded[0]!.metadata, { actor: { kind: 'system', id: 'cli' } });
});
