import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { compose, eventCatalogue } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { createCommandHandler } from '../../src/commands/handler.js';
import { contactDecider } from '../../src/commands/identity/contact.js';
import { catalogedEventStore } from '../../src/store/cataloged.js';
import { personalKeys } from '../../src/store/personal-keys.js';
import type { EventMetadata, EventStore } from '../../src/store/port.js';
import { openContactStreams } from '../../src/workflows/identity/contact-index.js';
import { CONTACT_STREAMS_MIGRATION, pseudonymiseContactStreams } from '../../src/workflows/identity/migrate-contact-streams.js';
import { phoneOwner } from '../../src/workflows/clients/register-client.js';
import { ownerOf } from '../../src/workflows/identity/staff-contacts.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { person } from '../helpers/clients.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { staffMember, verifyEmail, verifyPhone } from '../helpers/staff.js';
import { migratedProcess, visible } from '../helpers/store-events.js';

// Issue 13: once a person is erased no table may hold their phone or email in
// clear. Login contacts are named by a keyed hash wherever a row is keyed by
// them (src/events/identity/contact.ts, docs/privacy.md "Contact streams").

/** Every value of the columns that name a destination, as the database holds them. */
async function destinationColumns(db: Kysely<Database>): Promise<Record<string, string[]>> {
  return {
    'streams.stream_id': (await db.selectFrom('streams').select('stream_id').execute()).map((r) => r.stream_id),
    'events.stream_id': (await db.selectFrom('events').select('stream_id').distinct().execute()).map((r) => r.stream_id),
    'quotas.key': (await db.selectFrom('quotas').select('key').execute()).map((r) => r.key),
    'login_failures.account': (await db.selectFrom('login_failures').select('account').execute()).map((r) => r.account),
    'code_challenges.destination': (await db.selectFrom('code_challenges').select('destination').execute()).flatMap((r) => (r.destination === null ? [] : [r.destination])),
  };
}

/** The phone in any of the shapes it could be written in (E.164, its digits), the email in any case. */
const clear = (values: string[]) => values.flatMap((v) => (v.startsWith('+') ? [v, v.slice(1)] : [v.toLowerCase()]));

t.test('after registering and verifying, no table keyed by a destination holds a phone or an email in clear', async (t) => {
  const runtime = await startRuntime(t);
  const { db } = runtime.connection;
  const { contacts } = runtime.deps;
  const clientPhone = uniquePhone();
  const staffPhone = uniquePhone();
  const email = uniqueEmail('anna');

  await person(runtime, clientPhone);
  t.equal((await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone: clientPhone, password: 'wrong-password' } })).status, 401, 'a wrong password by phone is counted');
  const staff = await staffMember(runtime, email, { phone: staffPhone });
  await verifyEmail(runtime, staff);
  await verifyPhone(runtime, staff, staffPhone);
  t.equal((await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { email, password: 'wrong-password' } })).status, 401, 'a wrong password by email is counted');

  const columns = await destinationColumns(db);
  for (const [column, values] of Object.entries(columns)) {
    const leaked = values.filter((value) => clear([clientPhone, staffPhone, email]).some((c) => value.toLowerCase().includes(c)));
    t.same(leaked, [], `${column} holds no phone or email`);
  }
  // The rows are there, under the pseudonyms: the check above is not passed by empty tables.
  t.ok(columns['streams.stream_id']!.includes(contacts.phone(clientPhone)), 'the client’s phone is owned in its pseudonymous stream');
  t.ok(columns['streams.stream_id']!.includes(contacts.staffEmail(email)), 'the staff email too');
  t.ok(columns['streams.stream_id']!.includes(contacts.staffPhone(staffPhone)), 'and the staff phone');
  t.ok(columns['quotas.key']!.includes(`send:destination:${contacts.destination(clientPhone)}`), 'sends are counted per pseudonym');
  t.ok(columns['quotas.key']!.includes(`send:destination:${contacts.destination(email)}`));
  t.same(columns['login_failures.account']!.sort(), [`email:${contacts.destination(email)}`, `phone:${contacts.destination(clientPhone)}`].sort(), 'failed logins are counted per pseudonym');
  t.same(new Set(columns['code_challenges.destination']), new Set([clientPhone, email, staffPhone].map(contacts.destination)), 'codes are bound to the pseudonym of their destination');
  t.match(contacts.destination(clientPhone), /^[0-9a-f]{64}$/, 'a pseudonym is an HMAC-SHA256 in hex');
  t.equal(contacts.destination(email.toUpperCase()), contacts.destination(email), 'an email in any case has one pseudonym');

  t.test('ownership still holds: a verified phone or email is 409 to the next who names it', async (t) => {
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: clientPhone } })).status, 409);
    t.equal((await call(runtime.app, 'POST', '/api/v1/users', { body: { email: email.toUpperCase(), password: 'other-password' } })).status, 409);
  });
});

const system: EventMetadata = { actor: { kind: 'system' }, correlationId: 'legacy', causationId: 'legacy' };
const legacyOwned = (contact: string, ownerId: string) => ({ type: 'ContactOwned', data: { contact, ownerId, at: '2026-11-01T10:00:00.000Z' }, metadata: system });
const legacyReleased = (contact: string, ownerId: string) => ({ type: 'ContactReleased', data: { contact, ownerId, at: '2026-11-02T10:00:00.000Z' }, metadata: system });

interface LegacyContacts {
  readonly owned: string;
  readonly released: string;
  readonly staffPhone: string;
  readonly email: string;
}

/** Ownership as recorded before pseudonyms: in streams named by the contact in clear, written raw as the service wrote them then. */
async function writeLegacyContacts(log: EventStore): Promise<LegacyContacts> {
  const legacy = { owned: '+79517580001', released: '+79517580002', staffPhone: '+79517580003', email: 'legacy-anna@clinic.example' };
  await log.append(`phone-${legacy.owned}`, [legacyOwned(legacy.owned, 'client-a')], { expectedVersion: 'no_stream' });
  await log.append(`phone-${legacy.released}`, [legacyOwned(legacy.released, 'client-b'), legacyReleased(legacy.released, 'client-b')], { expectedVersion: 'no_stream' });
  await log.append(`staff-phone-${legacy.staffPhone}`, [legacyOwned(legacy.staffPhone, 'user-a')], { expectedVersion: 'no_stream' });
  const { position } = await log.append(`staff-email-${legacy.email}`, [legacyOwned(legacy.email, 'user-a')], { expectedVersion: 'no_stream' });
  await visible(log, position);
  return legacy;
}

/** The whole service started on an existing database, as after an upgrade; `close` stops it before the test ends. */
async function startOn(t: Test, databaseUrl: string): Promise<TestRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), 'contacts-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const runtime = await compose(loadConfig({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'info' }), pino({ level: 'info' }, sink));
  const stop = runtime.close.bind(runtime);
  let closed = false;
  const close = async () => {
    if (!closed) await stop();
    closed = true;
  };
  t.teardown(close);
  if (!runtime.app) throw new Error('no api role');
  return Object.assign(runtime, { app: runtime.app, logs, close });
}

const moveLogged = (runtime: TestRuntime) => runtime.logs.some((line) => line.includes('login contact ownership moved to pseudonymous streams'));

t.test('on an upgraded database, ownership in the clear-named streams is moved to the pseudonymous ones, once', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db, store: log } = await migratedProcess(t, url);
  const legacy = await writeLegacyContacts(log);

  const first = await startOn(t, url);
  t.ok(moveLogged(first), 'the start-up says it moved them');
  const deps = first.deps;
  t.equal(await phoneOwner(deps, legacy.owned), 'client-a', 'an owned phone is still owned');
  t.equal(await phoneOwner(deps, legacy.released), undefined, 'a released one stays free');
  t.equal(await ownerOf(deps, 'phone', legacy.staffPhone), 'user-a', 'a staff phone is still owned');
  t.equal(await ownerOf(deps, 'email', legacy.email.toUpperCase()), 'user-a', 'a staff email is still owned');
  t.match((await first.store.readStream(deps.contacts.phone(legacy.owned)))[0], { type: 'ContactOwned', data: { contact: legacy.owned, ownerId: 'client-a' }, metadata: { actor: { kind: 'system', id: 'migration' } } });
  const marker = await first.store.readStream(CONTACT_STREAMS_MIGRATION);
  t.match(marker, [{ type: 'ContactStreamsPseudonymised', data: { moved: 3 } }], 'a marker says it ran and what it moved');

  t.equal((await call(first.app, 'POST', '/api/v1/auth/register', { body: { phone: legacy.owned } })).status, 409, 'registering the owned phone over HTTP is 409');
  t.equal((await call(first.app, 'POST', '/api/v1/users', { body: { email: legacy.email, password: 'squatter-password' } })).status, 409, 'so is registering the owned email');
  t.equal((await call(first.app, 'POST', '/api/v1/users', { body: { email: uniqueEmail('new'), password: 'squatter-password', phone: legacy.staffPhone } })).status, 409, 'and the owned staff phone');
  t.equal((await call(first.app, 'POST', '/api/v1/auth/register', { body: { phone: legacy.released } })).status, 201, 'the released phone can be registered');
  const pseudonym = deps.contacts.phone(legacy.owned);
  await first.close();

  t.test('restarted on the same database: the same pseudonyms, ownership kept, and the move does not run again', async (t) => {
    const events = async () => Number((await db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await events();
    const second = await startOn(t, url);
    t.notOk(moveLogged(second), 'no move at this start');
    t.equal(second.deps.contacts.phone(legacy.owned), pseudonym, 'the pseudonym is stable across restarts');
    t.same((await second.store.readStream(CONTACT_STREAMS_MIGRATION)).map((e) => e.type), ['ContactStreamsPseudonymised'], 'one marker');
    t.equal(await events(), before, 'nothing was appended at start');
    t.equal((await call(second.app, 'POST', '/api/v1/auth/register', { body: { phone: legacy.owned } })).status, 409, 'the owned phone is still 409');
  });
});

t.test('the move never makes two owners: a pseudonymous stream written since the upgrade keeps its owner', async (t) => {
  const { db, store: log } = await migratedProcess(t, await freshPostgresUrl(t));
  const store = catalogedEventStore(log, eventCatalogue, personalKeys(db));
  const contacts = await openContactStreams(store.keys);
  const legacy = await writeLegacyContacts(log);
  // Somebody verified the number after the upgrade, before the move ran: they proved it later.
  await createCommandHandler(store)(
    contactDecider,
    contacts.phone(legacy.owned),
    { type: 'OwnContact', data: { contact: legacy.owned, ownerId: 'client-new', now: '2026-11-30T09:00:00.000Z' } },
    system,
  );
  const now = () => new Date('2026-11-30T10:00:00.000Z');
  const [a, b] = await Promise.all([pseudonymiseContactStreams({ log, store, contacts, now }), pseudonymiseContactStreams({ log, store, contacts, now })]);
  t.equal(await phoneOwner({ store, contacts }, legacy.owned), 'client-new', 'the later verification keeps the phone');
  t.same((await store.readStream(contacts.phone(legacy.owned))).map((e) => e.type), ['ContactOwned'], 'and no second ContactOwned was appended');
  t.same((await store.readStream(contacts.staffEmail(legacy.email))).map((e) => e.type), ['ContactOwned'], 'two processes moving at once write one ownership');
  t.equal((a ?? 0) + (b ?? 0), 2, 'between them they moved the staff phone and email once each');
  t.equal(await pseudonymiseContactStreams({ log, store, contacts, now }), undefined, 'a later run does nothing');
});
