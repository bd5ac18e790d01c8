import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { startSession } from '../../src/auth/sessions.js';
import { clientDecider, registered } from '../../src/commands/clients/client.js';
import { clientRecordDecider } from '../../src/commands/clients/client-record.js';
import { createCommandHandler } from '../../src/commands/handler.js';
import { loadState } from '../../src/commands/load-state.js';
import { migrateToTrustModel, MIGRATION_STREAM } from '../../src/workflows/clients/migrate-trust-model.js';
import { phoneOwner } from '../../src/workflows/clients/register-client.js';
import { compose, eventCatalogue } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { clientStream } from '../../src/events/clients/client.js';
import { clientRecordStream, recordIdFor } from '../../src/events/clients/client-record.js';
import { organizationStream } from '../../src/events/organizations/organization.js';
import { userStream } from '../../src/events/identity/user.js';
import { clientRecordsProjection } from '../../src/projections/clients/client-records.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { ProjectionRunner, type Logger } from '../../src/projections/runner.js';
import { personalKeys } from '../../src/store/personal-keys.js';
import { openContactStreams } from '../../src/workflows/identity/contact-index.js';
import { catalogedEventStore } from '../../src/store/cataloged.js';
import type { Actor, EventMetadata, EventStore } from '../../src/store/port.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { call } from '../helpers/runtime.js';
import { migratedProcess, settlesWithin, visible } from '../helpers/store-events.js';

// The one-time move of data written before the trust model into it
// (docs/trust-model.md, "Migrating existing data"), on a log written the way
// the service wrote it then.

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const by = (actor: Actor): EventMetadata => ({ actor, correlationId: 'legacy', causationId: 'legacy' });
const anonymous = by({ kind: 'anonymous' });
/** How a phone's stream was named then: by the number in clear. */
const phoneStream = (e164: string) => `phone-${e164}`;

const profile = { firstName: 'Anna', lastName: 'Petrova', patronymic: '', email: null, birthday: null, sex: null, address: 'Her own street', additionalInfo: '', links: {} };

interface Legacy {
  readonly client: string;
  readonly unverifiedClient: string;
  readonly phone: string;
  readonly unverifiedPhone: string;
  readonly orgA: string;
  readonly orgB: string;
  readonly staffA: string;
  readonly staffB: string;
}

async function organization(store: EventStore, organizationId: string, name: string, owner: string): Promise<void> {
  const at = '2026-01-01T09:00:00.000Z';
  const email = `owner@${name.toLowerCase()}.example`;
  await store.append(userStream(owner), [
    { type: 'UserRegistered', data: { userId: owner, email, phone: null, profile: { firstName: name, lastName: 'Owner', patronymic: '', address: '' }, passwordSet: true, registeredAt: at }, metadata: anonymous },
  ], { expectedVersion: 'no_stream' });
  await store.append(organizationStream(organizationId), [
    { type: 'OrganizationCreated', data: { organizationId, name, description: '', address: '', numbers: {}, links: {}, creatorId: owner, createdAt: at }, metadata: by({ kind: 'user', id: owner }) },
    { type: 'MemberAdded', data: { organizationId, userId: owner, role: 'owner', addedAt: at }, metadata: by({ kind: 'user', id: owner }) },
  ], { expectedVersion: 'no_stream' });
}

/**
 * A client who registered (anonymously), verified their phone, joined A and B
 * (both organizations' staff wrote notes in the one shared profile) and left
 * B; and a client who never verified, a member of A. Phones reserved at
 * registration, as the service did then.
 */
async function writeLegacyLog(store: EventStore): Promise<Legacy> {
  const legacy: Legacy = {
    client: randomUUID(),
    unverifiedClient: randomUUID(),
    phone: '+79517586284',
    unverifiedPhone: '+79517586285',
    orgA: randomUUID(),
    orgB: randomUUID(),
    staffA: randomUUID(),
    staffB: randomUUID(),
  };
  const { client, unverifiedClient, phone, unverifiedPhone, orgA, orgB, staffA, staffB } = legacy;
  await organization(store, orgA, 'A', staffA);
  await organization(store, orgB, 'B', staffB);

  const stream = clientStream(client);
  await store.append(phoneStream(phone), [{ type: 'PhoneReserved', data: { phone, clientId: client, reservedAt: '2026-01-02T10:00:00.000Z' }, metadata: anonymous }], { expectedVersion: 'no_stream' });
  await store.append(stream, [
    { type: 'ClientRegistered', data: { schemaVersion: 2, clientId: client, phone, profile, passwordSet: true, registeredAt: '2026-01-02T10:00:00.000Z' }, metadata: anonymous },
    { type: 'PhoneVerificationRequested', data: { clientId: client, phone, challengeId: randomUUID(), requestedAt: '2026-01-02T10:00:00.000Z' }, metadata: anonymous },
  ], { expectedVersion: 'no_stream' });
  await store.append(stream, [{ type: 'PhoneVerified', data: { clientId: client, phone, verifiedAt: '2026-01-02T10:01:00.000Z' }, metadata: anonymous }], { expectedVersion: 1 });
  await store.append(stream, [{ type: 'ClientJoinedOrganization', data: { clientId: client, organizationId: orgA, joinedAt: '2026-01-03T10:00:00.000Z' }, metadata: by({ kind: 'user', id: staffA }) }], { expectedVersion: 2 });
  await store.append(stream, [{ type: 'ClientJoinedOrganization', data: { clientId: client, organizationId: orgB, joinedAt: '2026-01-04T10:00:00.000Z' }, metadata: by({ kind: 'user', id: staffB }) }], { expectedVersion: 3 });
  await store.append(stream, [{ type: 'ClientProfileChanged', data: { clientId: client, changes: { additionalInfo: 'A note' }, changedAt: '2026-01-05T10:00:00.000Z' }, metadata: by({ kind: 'user', id: staffA }) }], { expectedVersion: 4 });
  await store.append(stream, [{ type: 'ClientProfileChanged', data: { clientId: client, changes: { additionalInfo: 'B note', address: 'B wrote this' }, changedAt: '2026-01-06T10:00:00.000Z' }, metadata: by({ kind: 'user', id: staffB }) }], { expectedVersion: 5 });
  await store.append(stream, [{ type: 'ClientLeftOrganization', data: { clientId: client, organizationId: orgB, leftAt: '2026-01-07T10:00:00.000Z' }, metadata: by({ kind: 'user', id: staffB }) }], { expectedVersion: 6 });

  await store.append(phoneStream(unverifiedPhone), [{ type: 'PhoneReserved', data: { phone: unverifiedPhone, clientId: unverifiedClient, reservedAt: '2026-01-02T11:00:00.000Z' }, metadata: anonymous }], { expectedVersion: 'no_stream' });
  const { position } = await store.append(clientStream(unverifiedClient), [
    { type: 'ClientRegistered', data: { schemaVersion: 2, clientId: unverifiedClient, phone: unverifiedPhone, profile: { ...profile, firstName: 'Boris' }, passwordSet: false, registeredAt: '2026-01-02T11:00:00.000Z' }, metadata: anonymous },
    { type: 'ClientJoinedOrganization', data: { clientId: unverifiedClient, organizationId: orgA, joinedAt: '2026-01-03T11:00:00.000Z' }, metadata: by({ kind: 'user', id: staffA }) },
  ], { expectedVersion: 'no_stream' });
  // The migration scans what readers can see: on a busy server a transaction of
  // another database can hold back what is visible for a moment.
  await visible(store, position);
  return legacy;
}

const types = async (store: EventStore, stream: string) => (await store.readStream(stream)).map((e) => e.type);
const eventCount = async (db: Kysely<Database>) => Number((await db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
const recordRows = (db: Kysely<Database>) => db.selectFrom('client_records').selectAll().orderBy('id').execute();

t.test('migrateToTrustModel: each legacy membership becomes that organization’s own record; a verified phone becomes owned; once', async (t) => {
  const { db, store: log } = await migratedProcess(t, await freshPostgresUrl(t));
  // Legacy events are written as they were then; the code reads the log through the catalogue.
  const store = catalogedEventStore(log, eventCatalogue, personalKeys(db));
  const handle = createCommandHandler(store);
  const contacts = await openContactStreams(store.keys);
  const legacy = await writeLegacyLog(log);
  const { client, phone, orgA, orgB } = legacy;
  const recordA = recordIdFor(orgA, client);
  const recordB = recordIdFor(orgB, client);
  const migratedAt = new Date('2026-11-29T12:00:00.000Z');

  const progress: string[] = [];
  t.equal(await migrateToTrustModel({ log, store, handle, contacts, now: () => migratedAt }, (p) => progress.push(p.phase)), true, 'it ran');
  t.ok(progress.includes('scan') && progress.includes('write'), 'and reported its progress');

  const a = (await loadState(store, clientRecordDecider, clientRecordStream(recordA))).state;
  t.match(a, { status: 'open', recordId: recordA, organizationId: orgA, phone, clientId: client }, 'A’s record is open and linked to the account');
  t.match(a, { profile: { firstName: 'Anna', additionalInfo: 'A note', address: 'Her own street' } }, 'with what the person and A’s staff wrote');
  t.notMatch(JSON.stringify(a), /B note|B wrote this/, 'and nothing B’s staff wrote');
  t.same(await types(store, clientRecordStream(recordA)), ['ClientRecordOpened', 'ClientRecordLinked']);
  t.match((await store.readStream(clientRecordStream(recordA)))[0]!, { data: { openedBy: 'migration', openedAt: '2026-01-02T10:00:00.000Z' }, metadata: { actor: { kind: 'system', id: 'migration' } } });

  const b = (await loadState(store, clientRecordDecider, clientRecordStream(recordB))).state;
  t.match(b, { status: 'removed', organizationId: orgB, clientId: null }, 'B’s record is removed: the client had left');
  t.match(b, { profile: { additionalInfo: 'B note', address: 'B wrote this' } }, 'it held what B’s staff wrote');
  t.same(await types(store, clientRecordStream(recordB)), ['ClientRecordOpened', 'ClientRecordRemoved']);

  t.same(await types(store, contacts.phone(phone)), ['ContactOwned'], 'the verified phone is owned, in the stream named by its pseudonym');
  t.match((await store.readStream(contacts.phone(phone)))[0]!, { data: { contact: phone, ownerId: client } });
  t.same(await types(store, phoneStream(phone)), ['PhoneReserved'], 'the legacy claim stays where it was');
  t.equal(await phoneOwner({ store, contacts }, phone), client);
  t.same(await types(store, contacts.phone(legacy.unverifiedPhone)), [], 'an unverified phone stays a mere claim');
  t.equal(await phoneOwner({ store, contacts }, legacy.unverifiedPhone), undefined);
  t.match((await loadState(store, clientRecordDecider, clientRecordStream(recordIdFor(orgA, legacy.unverifiedClient)))).state, { status: 'open', profile: { firstName: 'Boris' } }, 'the unverified client’s membership became A’s record too');

  t.strictSame(registered((await loadState(store, clientDecider, clientStream(client))).state).links, { [orgA]: recordA }, 'the account reads its legacy memberships as the link to A’s record');
  t.same(await types(store, MIGRATION_STREAM), ['TrustModelMigrated'], 'a marker says it ran');

  const before = await eventCount(db);
  t.equal(await migrateToTrustModel({ log, store, handle, contacts, now: () => new Date('2026-11-30T12:00:00.000Z') }), false, 'a second run does nothing');
  t.equal(await eventCount(db), before, 'and appends nothing');

  t.test('the client records read model, projected and then rebuilt from the log, has the same rows', async (t) => {
    const runner = new ProjectionRunner(db, store, clientRecordsProjection, quiet);
    t.teardown(() => runner.stop());
    runner.start();
    t.ok(await settlesWithin(runner.waitFor(await store.headPosition()), 10_000), 'the projector caught up');
    await runner.stop();
    const projected = await recordRows(db);
    t.match(projected.find((row) => row.id === recordA), { organization_id: orgA, account_id: client, additional_info: 'A note', address: 'Her own street', removed_at: null });
    t.match(projected.find((row) => row.id === recordB), { organization_id: orgB, account_id: null, removed_at: Date });
    t.equal(projected.length, 3);

    await rebuildProjection(db, store, clientRecordsProjection);
    t.strictSame(await recordRows(db), projected, 'the same rows');
  });
});

/** The whole service started on an existing database (as after an upgrade); torn down with the test. */
async function startOn(t: Test, databaseUrl: string) {
  const dataDir = await mkdtemp(join(tmpdir(), 'migrate-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  const runtime = await compose(loadConfig({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'info' }), logger);
  t.teardown(() => runtime.close());
  if (!runtime.app) throw new Error('no api role');
  return Object.assign(runtime, { app: runtime.app, logs });
}

t.test('the service runs the migration when it starts on a legacy database: the person and each organization see the result', async (t) => {
  const url = await freshPostgresUrl(t);
  const { store } = await migratedProcess(t, url);
  const legacy = await writeLegacyLog(store);
  const runtime = await startOn(t, url);
  t.ok(runtime.logs.some((line) => line.includes('existing clients moved to the trust model')), 'the start-up says it moved them');
  const head = await runtime.store.headPosition();
  t.ok(await settlesWithin(Promise.all(runtime.runners.map((r) => r.waitFor(head))), 15_000), 'every read model caught up');

  const { db, tokens, now } = runtime.deps;
  const person = (await startSession(db, tokens, { id: legacy.client, kind: 'client' }, now())).access;
  const links = await call(runtime.app, 'GET', '/api/v1/clients/me/links', { token: person });
  t.same(links.body.items.map((l: { record_id: string; status: string; organization: { name: string } }) => [l.record_id, l.status, l.organization.name]), [[recordIdFor(legacy.orgA, legacy.client), 'linked', 'A']], 'the person is linked to A’s record, not to B’s removed one');
  const me = await call(runtime.app, 'GET', '/api/v1/clients/me', { token: person });
  t.match(me.body, { id: legacy.client, confirmed_phone: true, organizations: [{ id: legacy.orgA, name: 'A' }] });

  const staffA = (await startSession(db, tokens, { id: legacy.staffA, kind: 'user' }, now())).access;
  const staffB = (await startSession(db, tokens, { id: legacy.staffB, kind: 'user' }, now())).access;
  const seenByA = await call(runtime.app, 'GET', `/api/v1/clients/${recordIdFor(legacy.orgA, legacy.client)}`, { token: staffA });
  t.match(seenByA.body, { organization_id: legacy.orgA, linked: true, additional_info: 'A note', address: 'Her own street' }, 'A sees its record, with its own note');
  t.equal((await call(runtime.app, 'GET', `/api/v1/clients/${recordIdFor(legacy.orgB, legacy.client)}`, { token: staffB })).status, 404, 'B’s record is removed');
  t.equal((await call(runtime.app, 'GET', `/api/v1/clients/${legacy.client}`, { token: staffA })).status, 404, 'and staff never reach the account');
});
