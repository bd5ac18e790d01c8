import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { userDecider } from '../../src/commands/identity/user.js';
import { clientStream } from '../../src/events/clients/client.js';
import { clientRecordAuditStream } from '../../src/events/clients/client-record.js';
import { userStream } from '../../src/events/identity/user.js';
import { clientAccountsProjection } from '../../src/projections/clients/client-accounts.js';
import { clientRecordsProjection } from '../../src/projections/clients/client-records.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { acceptRecord, addRecord, person } from '../helpers/clients.js';
import { addMember, organizationOf, staffMember, type StaffMember } from '../helpers/staff.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// Who may see and change a client (a person's account, an organization's
// record), what each one's history says, and the CLI that prints it. The
// book itself is in client-book.test.ts.

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
  // Each cell only reads or writes the same note again: the rows share one world and change nothing another row sees.
  for (const [name, token] of Object.entries(who)) {
    t.test(`${name} on the organization’s record`, async (t) => {
      for (const [action, [method, url, body]] of Object.entries(routes(record))) {
        const reply = await call(app, method, url, { ...(token ? { token } : {}), ...(body ? { body } : {}) });
        t.equal(reply.status, onRecord[name]![action as Action], `record: ${name} ${action}`);
      }
    });
    t.test(`${name} on the person’s account`, async (t) => {
      for (const [action, [method, url, body]] of Object.entries(routes(self.id))) {
        if (action === 'list') continue;
        const reply = await call(app, method, url, { ...(token ? { token } : {}), ...(body ? { body } : {}) });
        t.equal(reply.status, onAccount[name]![action as Exclude<Action, 'list'>], `account: ${name} ${action}`);
      }
    });
  }

  t.test('a platform admin changes an account with a reason, which is recorded', async (t) => {
    const withReason = await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: admin.token, body: { additional_info: 'fixed for the person', reason: 'support request 42' } });
    t.equal(withReason.status, 200, 'a platform admin changes an account with a reason');
    t.match((await runtime.store.readStream(clientStream(self.id))).at(-1), { type: 'ClientProfileChanged', metadata: { actor: { id: admin.id }, reason: 'support request 42' } }, 'which is recorded');
  });
});

type Item = { type: string; actor: { kind: string; id: string | null }; changes: Record<string, any>; occurred_at: string; correlation_id: string; sequence: number };

t.test('history', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const historyOf = (id: string, token: string, query = '') => call(app, 'GET', `/api/v1/clients/${id}/history${query}`, { token });

  /**
   * Anna's account and A's record of her (Olga): she renames herself, the
   * manager and then the owner change the record, and she links it; each
   * change a millisecond apart, for `as_of`.
   */
  const givenChanges = async (t: Test) => {
    const owner = await staffMember(runtime, uniqueEmail('owner'));
    const org = await organizationOf(runtime, owner, 'A');
    const manager = await staffMember(runtime, uniqueEmail('manager'));
    await addMember(runtime, org, owner, manager, 'manager');
    const self = await person(runtime, uniquePhone(), { first_name: 'Anna' });
    const record = await addRecord(runtime, org, owner.token, { first_name: 'Olga', phone: self.phone });
    await pastLastEvent(runtime);
    t.equal((await call(app, 'PATCH', `/api/v1/clients/${self.id}`, { token: self.token, body: { first_name: 'Anya' } })).status, 200);
    await pastLastEvent(runtime);
    t.equal((await call(app, 'PATCH', `/api/v1/clients/${record}`, { token: manager.token, body: { last_name: 'Ivanova', additional_info: 'likes dogs' } })).status, 200);
    await pastLastEvent(runtime);
    t.equal((await call(app, 'PATCH', `/api/v1/clients/${record}/full_name`, { token: owner.token, body: { first_name: 'Olga-Maria' } })).status, 200);
    await acceptRecord(runtime, self, record);
    return { owner, org, manager, self, record };
  };
  /** ...and the owner's first look at the record's history: 200. */
  const givenLook = async (t: Test) => {
    const given = await givenChanges(t);
    const history = await historyOf(given.record, given.owner.token);
    t.equal(history.status, 200);
    const items = history.body.items as Item[];
    return { ...given, items, changes: items.filter((e) => e.type === 'ClientRecordChanged') };
  };

  t.test('a record’s history is its own stream and the looks at it', async (t) => {
    const { items } = await givenLook(t);
    t.same(items.map((e) => e.type), ['ClientRecordOpened', 'ClientRecordChanged', 'ClientRecordChanged', 'ClientRecordLinked', 'ClientRecordHistoryViewed'], 'the record’s own stream and the looks at it');
    t.ok(items.every((e) => typeof e.correlation_id === 'string'));
  });

  t.test('each change names who made it and what it changed', async (t) => {
    const { changes, manager, owner } = await givenLook(t);
    t.same(changes.map((e) => [e.actor.kind, e.actor.id]), [['user', manager.id], ['user', owner.id]], 'who did what');
    t.same(changes.map((e) => e.changes.changes), [{ last_name: 'Ivanova', additional_info: 'likes dogs' }, { first_name: 'Olga-Maria' }], 'what changed');
  });

  t.test('the person who linked is named by kind only, and their own account changes are not the record’s', async (t) => {
    const { items } = await givenLook(t);
    t.same(items.find((e) => e.type === 'ClientRecordLinked')!.actor, { kind: 'client', id: null }, 'the person who linked is named by kind only');
    t.notOk(JSON.stringify(items).includes('Anya'), 'the person’s own account changes are not the record’s history');
  });

  t.test('as_of gives the record of each moment; before the record there is none', async (t) => {
    const { items, changes, record, owner } = await givenLook(t);
    const names = [];
    for (const event of [items[0]!, ...changes]) {
      const then = await historyOf(record, owner.token, `?as_of=${encodeURIComponent(event.occurred_at)}`);
      t.equal(then.status, 200);
      names.push([then.body.profile.first_name, then.body.profile.last_name]);
    }
    t.same(names, [['Olga', ''], ['Olga', 'Ivanova'], ['Olga-Maria', 'Ivanova']], 'the record of each moment');
    t.equal((await historyOf(record, owner.token, '?as_of=2000-01-01T00:00:00Z')).status, 404);
  });

  t.test('the history comes in pages', async (t) => {
    const { record, owner } = await givenLook(t);
    const page = await historyOf(record, owner.token, '?limit=2');
    t.equal(page.body.items.length, 2);
    t.equal(page.body.next, '2');
  });

  t.test('every served look is recorded, numbered 1..n; a refused one is not', async (t) => {
    const { items, changes, record, owner } = await givenLook(t);
    // The looks of the behaviours above, made again here: three as_of ones, a refused one, a page.
    for (const event of [items[0]!, ...changes]) t.equal((await historyOf(record, owner.token, `?as_of=${encodeURIComponent(event.occurred_at)}`)).status, 200);
    t.equal((await historyOf(record, owner.token, '?as_of=2000-01-01T00:00:00Z')).status, 404);
    t.equal((await historyOf(record, owner.token, '?limit=2')).status, 200);
    const all = await historyOf(record, owner.token, '?limit=500');
    const views = all.body.items.filter((e: Item) => e.type === 'ClientRecordHistoryViewed');
    t.equal(views.length, 6, 'every served look is recorded (as_of ones, pages, this one); the refused one is not');
    t.same(views[0].actor, { kind: 'user', id: owner.id });
    t.same(all.body.items.map((e: Item) => e.sequence), all.body.items.map((_: Item, i: number) => i + 1), 'numbered 1..n');
  });

  t.test('the person’s view: their account and the looks at it, not the organization’s notes; as_of too', async (t) => {
    const { self } = await givenChanges(t);
    const mine = await historyOf(self.id, self.token);
    const mineItems = mine.body.items as Item[];
    t.same(mineItems.map((e) => e.type), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified', 'ClientProfileChanged', 'ClientLinkedToRecord', 'ClientHistoryViewed'], 'the person’s view: their account and the looks at it');
    t.same(mineItems.find((e) => e.type === 'ClientProfileChanged')!.actor, { kind: 'client', id: self.id });
    t.notOk(JSON.stringify(mineItems).includes('likes dogs'), 'not the organization’s notes');
    const named = await historyOf(self.id, self.token, `?as_of=${encodeURIComponent(mineItems[3]!.occurred_at)}`);
    t.match(named.body.profile, { first_name: 'Anya', confirmed_phone: true });
  });

  // Last: a rebuild replays the whole projection, every behaviour's rows with it.
  t.test('a rebuild of the projections gives the same record, list and account', async (t) => {
    const { owner, org, self, record } = await givenChanges(t);
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
});

t.test('npm run cli -- clients history <id>', async (t) => {
  const runtime = await startRuntime(t);
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const cli = new URL('../../src/cli.js', import.meta.url).pathname;
  const env = { PATH: process.env.PATH ?? '', DATABASE_URL: runtime.config.databaseUrl!, DATA_DIR: runtime.config.dataDir, LOG_LEVEL: 'silent' };
  const history = async (id: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'clients', 'history', id], { env });
    return stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; actor: { kind: string } });
  };

  t.test('prints an account’s history as JSON lines and records the look', async (t) => {
    const self = await person(runtime, uniquePhone());
    t.same((await history(self.id)).map((l) => l.type), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified']);
    const recorded = await runtime.connection.db.selectFrom('events').select(['type', 'metadata']).where('stream_id', '=', `client-audit-${self.id}`).orderBy('global_position').execute();
    t.equal(recorded.length, 1);
    t.match(recorded[0]!.metadata, { actor: { kind: 'system', id: 'cli' } });
  });

  t.test('prints a record’s history and records the look on the record’s audit stream', async (t) => {
    const owner = await staffMember(runtime, uniqueEmail('owner'));
    const org = await organizationOf(runtime, owner, 'A');
    const record = await addRecord(runtime, org, owner.token, { first_name: 'x', phone: uniquePhone() });
    t.same((await history(record)).map((l) => l.type), ['ClientRecordOpened'], 'a record’s history');
    const recordLooks = await runtime.connection.db.selectFrom('events').select(['type', 'metadata']).where('stream_id', '=', clientRecordAuditStream(record)).orderBy('global_position').execute();
    t.match(recordLooks, [{ type: 'ClientRecordHistoryViewed', metadata: { actor: { kind: 'system', id: 'cli' } } }], 'the look is recorded on the record’s audit stream');
  });
});
