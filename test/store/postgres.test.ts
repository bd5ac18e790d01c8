import t, { type Test } from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { connect, type DatabaseTarget } from '../../src/db/connect.js';
import type { Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { START, WrongExpectedVersion, type EventStore, type NewEvent } from '../../src/store/port.js';
import { appendInTransaction, createPostgresEventStore, pgNotificationListener, type NotificationListener, type PostgresEventStoreOptions } from '../../src/store/postgres.js';
import { databaseKinds, freshPgliteDir, freshPostgresUrl } from '../helpers/databases.js';
import { sealingContract } from './sealing-contract.js';
import { assertDeliveredOnce, collect, eventStoreContract, events, newStream, waitFor, type HeldAppend } from './contract.js';

interface TestDatabase {
  readonly db: Kysely<Database>;
  /** PostgreSQL: for extra connections. */
  readonly url?: string;
  /** PGlite: the instance, which is also a notification listener. */
  readonly pglite?: PGlite;
}

// Opening a PGlite takes seconds and creating a PostgreSQL database a good part of
// one, so this file opens one database of each kind and empties it for every test.
const databases = new Map<DatabaseTarget['kind'], Promise<TestDatabase>>();

async function openDatabase(kind: DatabaseTarget['kind']): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const url = await freshPostgresUrl(t);
    const { db } = connect({ kind, url });
    t.teardown(() => db.destroy());
    await migrateToLatest(db);
    return { db, url };
  }
  const pglite = new PGlite(await freshPgliteDir(t));
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  return { db, pglite };
}

/** The file's database of this kind, emptied (every test closes its stores and subscriptions before the next starts). */
async function emptyDatabase(kind: DatabaseTarget['kind']): Promise<TestDatabase> {
  let database = databases.get(kind);
  if (!database) databases.set(kind, (database = openDatabase(kind)));
  const opened = await database;
  await sql`TRUNCATE events, streams RESTART IDENTITY`.execute(opened.db);
  return opened;
}

function storeOn(t: Test, db: Kysely<Database>, options?: PostgresEventStoreOptions): EventStore {
  const store = createPostgresEventStore(db, { pollIntervalMs: 20, ...options });
  t.teardown(() => store.close());
  return store;
}

/** The adapter's own append, in a transaction on a dedicated connection that stays open until commit(). */
async function holdOpenAppend(t: Test, url: string, stream: string, toAppend: readonly NewEvent[]): Promise<HeldAppend> {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  const trx = await db.startTransaction().execute();
  let open = true;
  const end = async (commit: boolean): Promise<void> => {
    if (!open) return;
    open = false;
    await (commit ? trx.commit() : trx.rollback()).execute();
    await db.destroy();
  };
  t.teardown(() => end(false));
  try {
    await appendInTransaction(trx, stream, toAppend, { expectedVersion: 'any' });
  } catch (error) {
    await end(false);
    throw error;
  }
  return { commit: () => end(true) };
}

async function wrongVersion(attempt: Promise<unknown>): Promise<WrongExpectedVersion | undefined> {
  return attempt.then(
    () => undefined,
    (error: unknown) => (error instanceof WrongExpectedVersion ? error : undefined),
  );
}

for (const kind of databaseKinds) {
  eventStoreContract(t, kind, async (t) => {
    const { db, url } = await emptyDatabase(kind);
    const store = storeOn(t, db);
    if (url === undefined) return { store, isolated: true };
    return { store, isolated: true, holdOpenAppend: (stream, toAppend) => holdOpenAppend(t, url, stream, toAppend) };
  });

  sealingContract(t, kind, async (t) => {
    const { db } = await emptyDatabase(kind);
    return { raw: storeOn(t, db), db };
  });

  t.test(`postgres adapter specifics on ${kind}`, async (t) => {
    t.test('zero events: checks the expected version only', async (t) => {
      const store = storeOn(t, (await emptyDatabase(kind)).db);
      const stream = newStream();
      t.same(await store.append(stream, [], { expectedVersion: 'no_stream' }), { version: -1, position: START }, 'missing stream: version -1 at START');
      t.same(await store.append(stream, [], { expectedVersion: 'any' }), { version: -1, position: START }, 'any does not create the stream');
      t.equal((await wrongVersion(store.append(stream, [], { expectedVersion: 'stream_exists' })))?.actual, -1, 'stream_exists on missing');
      const written = await store.append(stream, events(2), { expectedVersion: 'no_stream' });
      t.same(await store.append(stream, [], { expectedVersion: 1 }), written, 'the current version and the last event position');
      t.equal((await wrongVersion(store.append(stream, [], { expectedVersion: 0 })))?.actual, 1, 'a stale version is rejected');
    });

    t.test('WrongExpectedVersion carries the actual version', async (t) => {
      const store = storeOn(t, (await emptyDatabase(kind)).db);
      const stream = newStream();
      t.equal((await wrongVersion(store.append(stream, events(1), { expectedVersion: 3 })))?.actual, -1, 'missing stream');
      await store.append(stream, events(3), { expectedVersion: 'no_stream' });
      t.equal((await wrongVersion(store.append(stream, events(1), { expectedVersion: 'no_stream' })))?.actual, 2, 'no_stream');
      t.equal((await wrongVersion(store.append(stream, events(1), { expectedVersion: 0 })))?.actual, 2, 'number');
      await t.rejects(store.append(stream, events(1), { expectedVersion: -2 }), RangeError, 'a version below -1 is a programming error');
    });

    t.test('a unique violation on (stream, version) is a WrongExpectedVersion', async (t) => {
      const { db } = await emptyDatabase(kind);
      const store = storeOn(t, db);
      const stream = newStream();
      await store.append(stream, events(1), { expectedVersion: 'no_stream' });
      // An out-of-band writer that bypassed the streams row took version 1.
      await sql`INSERT INTO events (event_id, stream_id, version, type, data, metadata)
        VALUES (gen_random_uuid(), ${stream}, 1, 'Rogue', '{}', '{}')`.execute(db);
      const error = await wrongVersion(store.append(stream, events(1), { expectedVersion: 0 }));
      t.ok(error, 'WrongExpectedVersion');
      t.equal(error?.stream, stream, 'on the stream');
      t.same((await store.readStream(stream)).map((e) => e.type), ['Tested', 'Rogue'], 'the failed append rolled back');
    });

    t.test('concurrent appends to many streams from several connections are all delivered once', async (t) => {
      const { db, url } = await emptyDatabase(kind);
      const stores = [storeOn(t, db)];
      // PGlite has one connection: there the appends interleave on it.
      for (let i = 0; url !== undefined && i < 3; i++) {
        const extra = connect({ kind: 'postgres', url, poolSize: 5 }).db;
        t.teardown(() => extra.destroy());
        stores.push(storeOn(t, extra));
      }
      const streams = Array.from({ length: 30 }, () => newStream('many'));
      const c = collect(t, stores[0]!, START, new Set(streams), { batchSize: 7 });
      const written: string[] = [];
      await Promise.all(
        streams.map(async (stream, s) => {
          for (let version = 0; version < 5; version++) {
            const batch = events(1 + (version % 2));
            written.push(...batch.map((e) => e.id));
            await stores[(s + version) % stores.length]!.append(stream, batch, { expectedVersion: version === 0 ? 'no_stream' : 'stream_exists' });
            await sleep(Math.random() * 5);
          }
        }),
      );
      t.ok(await waitFor(() => c.ours.length >= written.length, 10_000), 'all delivered', { delivered: c.ours.length, written: written.length });
      await sleep(150);
      assertDeliveredOnce(t, c.ours, written, 'concurrent appenders');
      t.same(c.errors, [], 'no subscription error');
    });

    t.test('notifications wake a live subscription long before the next poll', async (t) => {
      const { db, url, pglite } = await emptyDatabase(kind);
      const listener: NotificationListener = url !== undefined ? pgNotificationListener(url) : pglite!;
      const store = storeOn(t, db, { pollIntervalMs: 60_000, notify: true, listener });
      const stream = newStream();
      const c = collect(t, store, START, new Set([stream]));
      await sleep(200);
      await store.append(stream, events(2), { expectedVersion: 'no_stream' });
      t.ok(await waitFor(() => c.ours.length === 2, 3000), 'delivered without waiting for the 60s poll');
      await store.append(stream, events(1), { expectedVersion: 1 });
      t.ok(await waitFor(() => c.ours.length === 3, 3000), 'and again');
      const started = Date.now();
      await store.close();
      t.ok(Date.now() - started < 2000, 'close does not wait for the poll interval');
    });
  });
}

t.test('live subscriptions at one position share one read of the log', async (t) => {
  const url = await freshPostgresUrl(t);
  let logReads = 0;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
    log: (event) => void (event.level === 'query' && /FROM events\s+WHERE \(transaction_id, global_position\) >/.test(event.query.sql) && logReads++),
  });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  // Polling is slowed right down: every read below comes from an append's nudge.
  const store = storeOn(t, db, { pollIntervalMs: 60_000 });
  const stream = newStream();
  const followers = Array.from({ length: 8 }, () => collect(t, store, START, new Set([stream])));
  await sleep(100);
  const before = logReads;
  t.ok(before <= 2, `8 subscriptions starting together read the log ${before} time(s)`);

  for (const event of events(5)) await store.append(stream, [event], { expectedVersion: 'any' });
  t.ok(await waitFor(() => followers.every((f) => f.ours.length === 5)), 'every subscription received every event');
  t.strictSame(followers.map((f) => f.ours.map((e) => e.version)), followers.map(() => [0, 1, 2, 3, 4]), 'in order, once each');
  const perAppend = (logReads - before) / 5;
  t.ok(perAppend <= 3, `log reads per append: ${perAppend} for 8 subscriptions (one each would be 8 or more)`);
});
