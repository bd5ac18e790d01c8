import t, { type Test } from 'tap';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Decider } from '../../src/commands/decider.js';
import { DomainError } from '../../src/commands/errors.js';
import { FoldedStates } from '../../src/commands/folded-states.js';
import { createCommandHandler } from '../../src/commands/handler.js';
import { loadState } from '../../src/commands/load-state.js';
import { registerClient, verifyClientPhone } from '../../src/workflows/clients/register-client.js';
import type { Database } from '../../src/db/database.js';
import type { ClientProfile } from '../../src/events/clients/client.js';
import type { Event } from '../../src/events/event.js';
import { testContacts } from '../helpers/client-book.js';
import { WrongExpectedVersion, type EventMetadata, type EventStore, type ExpectedVersion } from '../../src/store/port.js';
import { createPostgresEventStore } from '../../src/store/postgres.js';
import { databaseKinds, freshConnection, freshPostgresUrl } from '../helpers/databases.js';
import { migratedProcess, openProcess, systemMetadata } from '../helpers/store-events.js';

// Each event records the total its command saw: if two commands ever decided on
// the same state, two events would carry the same total.
type Incremented = Event<'Incremented', { tag: string; total: number }>;
type Increment = { type: 'Increment'; tag: string; by: 0 | 1 };
const counter: Decider<{ total: number }, Increment, Incremented> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => (event.type === 'Incremented' ? { total: event.data.total } : state),
  decide: (command, state) => (command.by === 0 ? [] : [{ type: 'Incremented', data: { tag: command.tag, total: state.total + 1 } }]),
};
const increment = (tag: string = randomUUID()): Increment => ({ type: 'Increment', tag, by: 1 });

// Open is a no-op on an open gate; closing a closed gate is refused.
type GateEvent = Event<'Opened', Record<string, never>> | Event<'Closed', Record<string, never>>;
const gate: Decider<{ open: boolean }, { type: 'Open' | 'Close' }, GateEvent> = {
  initialState: () => ({ open: false }),
  evolve: (_state, event) => ({ open: event.type === 'Opened' }),
  decide: (command, state) => {
    if (command.type === 'Open') return state.open ? [] : [{ type: 'Opened', data: {} }];
    if (!state.open) throw new DomainError('conflict', 'Already closed.');
    return [{ type: 'Closed', data: {} }];
  },
};
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The real store, with every append's expected version and every WrongExpectedVersion noted. */
/**
 * Holds each store's first append until every one of them has decided, so
 * the first commands of the processes always race for the same version,
 * however the machine schedules them.
 */
function meetingAtFirstAppend(stores: readonly EventStore[]): EventStore[] {
  let arrived = 0;
  let everyoneDecided!: () => void;
  const met = new Promise<void>((resolve) => (everyoneDecided = resolve));
  return stores.map((store) => {
    let first = true;
    return {
      ...store,
      async append(stream, events, options) {
        if (first) {
          first = false;
          if (++arrived === stores.length) everyoneDecided();
          await met;
        }
        return store.append(stream, events, options);
      },
    };
  });
}

function watched(store: EventStore): { store: EventStore; expected: ExpectedVersion[]; conflicts: () => number } {
  const expected: ExpectedVersion[] = [];
  let conflicts = 0;
  return {
    expected,
    conflicts: () => conflicts,
    store: {
      ...store,
      async append(stream, events, options) {
        expected.push(options.expectedVersion);
        try {
          return await store.append(stream, events, options);
        } catch (error) {
          if (error instanceof WrongExpectedVersion) conflicts++;
          throw error;
        }
      },
    },
  };
}

function storeOn(t: Test, db: Kysely<Database>): EventStore {
  const store = createPostgresEventStore(db);
  t.teardown(() => store.close());
  return store;
}

for (const kind of databaseKinds) {
  t.test(`command handler on ${kind}`, async (t) => {
    // One database for the group (opening PGlite is slow); every test uses streams of its own.
    const { db } = await freshConnection(t, kind);
    t.test('appends with the expected version and returns the new version and position', async (t) => {
      const { store, expected } = watched(storeOn(t, db));
      const handle = createCommandHandler(store);
      const stream = `counter-${randomUUID()}`;

      const first = await handle(counter, stream, increment('a'), systemMetadata());
      const second = await handle(counter, stream, increment('b'), systemMetadata());
      t.strictSame(expected, ['no_stream', 0], 'a new stream with no_stream, then the version it was read at');
      const stored = await store.readStream(stream);
      t.match(first, { version: 0, position: stored[0]!.position, state: { total: 1 } });
      t.match(second, { version: 1, position: stored[1]!.position, state: { total: 2 } });
      t.strictSame(stored.map((e) => e.data), [{ tag: 'a', total: 1 }, { tag: 'b', total: 2 }]);

      const nothing = await handle(counter, stream, { type: 'Increment', tag: 'c', by: 0 }, systemMetadata());
      t.strictSame(nothing, { state: { total: 2 }, events: [], version: 1, position: undefined }, 'no events: no append, no position');
      t.equal(expected.length, 2, 'nothing was appended for it');
    });

    t.test('the folded state is kept: a command reads nothing while no one else writes; another writer costs one refused append and a read of what was missed', async (t) => {
      const store = storeOn(t, db);
      const reads: (number | undefined)[] = [];
      const { store: watchedStore, expected, conflicts } = watched({ ...store, readStream: (stream, options) => (reads.push(options?.from), store.readStream(stream, options)) });
      const handle = createCommandHandler(watchedStore, { folded: new FoldedStates(1) });
      const stream = `counter-${randomUUID()}`;
      await handle(counter, stream, increment(), systemMetadata());
      await handle(counter, stream, increment(), systemMetadata());
      t.strictSame(reads, [0], 'the second command decided on the state the first left, without a read');
      // Another process's write: the next command must fold it in, not decide on a stale total.
      await store.append(stream, [{ type: 'Incremented', data: { tag: 'elsewhere', total: 3 }, metadata: systemMetadata() }], { expectedVersion: 1 });
      const third = await handle(counter, stream, increment(), systemMetadata());
      t.match(third, { version: 3, state: { total: 4 } }, 'decided on the state including the other writer\'s event');
      t.strictSame(reads, [0, 2], 'after the refused append it read from the version after the state it had');
      t.strictSame(expected, ['no_stream', 0, 1, 2], 'the stale attempt was refused by its expected version, nothing written on stale state');
      t.equal(conflicts(), 1);
      t.strictSame((await store.readStream(stream)).map((e) => (e.data as { total: number }).total), [1, 2, 3, 4], 'every event decided on the whole history');

      await handle(counter, `counter-${randomUUID()}`, increment(), systemMetadata());
      reads.length = 0;
      const fourth = await handle(counter, stream, increment(), systemMetadata());
      t.match(fourth, { version: 4, state: { total: 5 } });
      t.strictSame(reads, [0], 'past its limit the least recently used stream is read whole again');
    });

    t.test('a refusal or a no-op decided on the cached state is checked against the stream first', async (t) => {
      const store = storeOn(t, db);
      const handle = createCommandHandler(store, { folded: new FoldedStates() });
      const stream = `gate-${randomUUID()}`;
      await handle(gate, stream, { type: 'Open' }, systemMetadata());
      // Closed by another process: this one's cache still says open.
      await store.append(stream, [{ type: 'Closed', data: {}, metadata: systemMetadata() }], { expectedVersion: 0 });
      const opened = await handle(gate, stream, { type: 'Open' }, systemMetadata());
      t.equal(opened.events.length, 1, '"already open" on the cached state was not trusted: it opened again');
      await store.append(stream, [{ type: 'Closed', data: {}, metadata: systemMetadata() }], { expectedVersion: 2 });
      const closed = await handle(gate, stream, { type: 'Close' }, systemMetadata()).then(() => 'closed', (error: unknown) => (error instanceof DomainError ? error.kind : 'other'));
      t.equal(closed, 'conflict', 'and a refusal decided on the current state stands');
    });

    t.test('loadState starts from the state its store\'s commands and reads folded last', async (t) => {
      const store = storeOn(t, db);
      const reads: (number | undefined)[] = [];
      const watchedStore: EventStore = { ...store, readStream: (stream, options) => (reads.push(options?.from), store.readStream(stream, options)) };
      const handle = createCommandHandler(watchedStore);
      const stream = `counter-${randomUUID()}`;
      t.strictSame(await loadState(watchedStore, counter, stream), { state: { total: 0 }, version: -1, position: undefined }, 'a missing stream is the initial state');
      const handled = await handle(counter, stream, increment(), systemMetadata());
      await handle(counter, stream, increment(), systemMetadata());
      const loaded = await loadState(watchedStore, counter, stream);
      t.match(loaded, { state: { total: 2 } });
      t.strictSame(reads, [0, 0, 2], 'the second command read nothing, and the read after them asked only for events after version 1');
      await store.append(stream, [{ type: 'Incremented', data: { tag: 'elsewhere', total: 7 }, metadata: systemMetadata() }], { expectedVersion: 1 });
      const fresh = await loadState(watchedStore, counter, stream);
      t.match(fresh, { state: { total: 7 } }, 'as fresh as a full read');
      t.strictSame(fresh.position, (await store.readStream(stream)).at(-1)!.position);
      t.strictSame(await loadState(watchedStore, counter, stream), fresh, 'nothing new: the same state and position');
      t.not(handled.position, undefined);
    });

    t.test('events carry the metadata passed with the command', async (t) => {
      const store = storeOn(t, db);
      const handle = createCommandHandler(store);
      const stream = `counter-${randomUUID()}`;
      const metadata: EventMetadata = { actor: { kind: 'client', id: randomUUID() }, correlationId: randomUUID(), causationId: randomUUID(), requestId: 'req-42' };
      await handle(counter, stream, increment(), metadata);
      const [event] = await store.readStream(stream);
      t.strictSame(event?.metadata, metadata);
    });

    t.test('commands on one stream are serialized inside a process', async (t) => {
      const { store, conflicts } = watched(storeOn(t, db));
      // One attempt: any interleaving inside this handler would surface as a conflict error.
      const handle = createCommandHandler(store, { maxAttempts: 1 });
      const stream = `counter-${randomUUID()}`;
      const results = await Promise.allSettled(range(30).map(() => handle(counter, stream, increment(), systemMetadata())));
      const rejected = results.filter((r) => r.status === 'rejected');
      t.strictSame(rejected, [], 'every command succeeded');
      t.equal(conflicts(), 0, 'no append conflicted');
      const versions = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.version] : [])).sort((a, b) => a - b);
      t.strictSame(versions, range(30));
      const totals = (await store.readStream(stream)).map((e) => (e.data as Incremented['data']).total);
      t.strictSame(totals, range(30).map((i) => i + 1), 'each command decided on the state its predecessor left');
    });

    t.test('a conflict that persists beyond maxAttempts is a DomainError conflict', async (t) => {
      const real = storeOn(t, db);
      let appends = 0;
      const alwaysStale: EventStore = {
        ...real,
        async append(stream, _events, { expectedVersion }) {
          appends++;
          throw new WrongExpectedVersion(stream, expectedVersion, 7);
        },
      };
      const handle = createCommandHandler(alwaysStale, { maxAttempts: 3, random: () => 0 });
      const error = await handle(counter, `counter-${randomUUID()}`, increment(), systemMetadata()).catch((e: unknown) => e);
      t.ok(error instanceof DomainError, 'a DomainError');
      t.equal((error as DomainError).kind, 'conflict');
      t.equal(appends, 3, 'tried exactly maxAttempts times');
    });

    t.test('other append failures are not retried', async (t) => {
      const real = storeOn(t, db);
      let appends = 0;
      const broken = new Error('disk full');
      const failing: EventStore = {
        ...real,
        async append() {
          appends++;
          throw broken;
        },
      };
      const handle = createCommandHandler(failing, { random: () => 0 });
      t.equal(await handle(counter, `counter-${randomUUID()}`, increment(), systemMetadata()).catch((e: unknown) => e), broken, 'the error as is');
      t.equal(appends, 1);
    });
  });
}

t.test('two processes racing on one stream: retries settle every command, each event once', async (t) => {
  const url = await freshPostgresUrl(t);
  const [first, second] = meetingAtFirstAppend([(await migratedProcess(t, url)).store, openProcess(t, url).store]);
  const one = watched(first!);
  const two = watched(second!);
  const handlers = [createCommandHandler(one.store), createCommandHandler(two.store)];
  const stream = `counter-${randomUUID()}`;
  const tags = range(40).map((i) => `tag-${i}`);

  const results = await Promise.allSettled(tags.map((tag, i) => handlers[i % 2]!(counter, stream, increment(tag), systemMetadata())));
  t.strictSame(results.filter((r) => r.status === 'rejected'), [], 'every command succeeded');
  t.ok(one.conflicts() + two.conflicts() > 0, `the processes did race (${one.conflicts() + two.conflicts()} conflicts retried)`);
  const stored = await one.store.readStream(stream);
  t.strictSame(stored.map((e) => e.version), range(40));
  t.strictSame(stored.map((e) => (e.data as Incremented['data']).tag).sort(), [...tags].sort(), 'every command once');
  t.strictSame(stored.map((e) => (e.data as Incremented['data']).total), range(40).map((i) => i + 1), 'each decided on fresh state');
});

t.test('verifyClientPhone: of 20 accounts naming one phone, verifying at once in two processes, exactly one owns it', async (t) => {
  const url = await freshPostgresUrl(t);
  const processes = [await migratedProcess(t, url), openProcess(t, url)];
  const deps = processes.map(({ db, store }) => ({ db, store, handle: createCommandHandler(store), contacts: testContacts }));
  const phone = '+79967486294';
  const profile: ClientProfile = { firstName: 'Ivan', lastName: 'Ivanov', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: '', links: {} };
  const clientIds = range(20).map(() => randomUUID());
  const now = new Date('2026-11-23T10:00:00Z');

  // An unverified phone is a claim that stops nobody (docs/trust-model.md): every registration is recorded.
  const registrations = await Promise.allSettled(
    clientIds.map((clientId, i) => registerClient(deps[i % 2]!, { clientId, challengeId: randomUUID(), phone, password: undefined, profile, now }, systemMetadata())),
  );
  t.strictSame(registrations.filter((r) => r.status === 'rejected'), [], 'all 20 registrations of the unverified phone succeeded');

  const results = await Promise.allSettled(clientIds.map((clientId, i) => verifyClientPhone(deps[i % 2]!, { clientId, phone, now }, systemMetadata())));
  const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [clientIds[i]!] : []));
  const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  t.equal(won.length, 1, 'one verification succeeded');
  t.strictSame(lost.map((e) => (e instanceof DomainError ? e.kind : e)), range(19).map(() => 'conflict'), 'the others: DomainError conflict');

  const store = processes[0]!.store;
  const ownership = await store.readStream(testContacts.phone(phone));
  t.equal(ownership.length, 1, 'the phone stream holds one event');
  t.match(ownership[0], { type: 'ContactOwned', data: { contact: phone, ownerId: won[0] } });
  const verified = [];
  for (const id of clientIds) if ((await store.readStream(`client-${id}`)).some((e) => e.type === 'PhoneVerified')) verified.push(id);
  t.strictSame(verified, won, 'only the owner’s account recorded the verification');
});
