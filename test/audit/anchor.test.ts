import { randomUUID } from 'node:crypto';
import t from 'tap';
import { eventCatalogue } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { AUDIT_ANCHORS, type LogAnchoredData } from '../../src/events/audit/anchors.js';
import { anchorDigest, GENESIS } from '../../src/events/chain.js';
import { placeStream } from '../../src/events/scheduling/place.js';
import { catalogedEventStore, type CatalogedEventStore } from '../../src/store/cataloged.js';
import { personalKeys } from '../../src/store/personal-keys.js';
import { comparePositions, formatPosition, parsePosition, START, type EventStore, type Position } from '../../src/store/port.js';
import { anchorLog } from '../../src/workflows/audit/anchor-log.js';
import { verifyLog } from '../../src/workflows/audit/verify.js';
import { startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { openProcess, systemMetadata, visible } from '../helpers/store-events.js';
import { until } from '../helpers/waiting.js';
import { emptyLog } from './log-fixture.js';

// Anchoring: a digest over the hashes of the events since the previous
// anchor; by hand (the CLI), by the reactor, and by two processes at once.

const place = (placeId = randomUUID()) => ({
  type: 'PlaceCreated',
  data: { placeId, organizationId: randomUUID(), name: 'Room', address: '', description: '', createdAt: '2026-11-30T10:00:00.000Z' },
  metadata: systemMetadata(),
});

const anchorsOf = async (store: EventStore) => (await store.readStream(AUDIT_ANCHORS)).map((e) => ({ ...(e.data as LogAnchoredData), position: e.position }));

t.test('an anchor covers every event since the previous one; nothing new (or only anchors) is not anchored', async (t) => {
  const { store } = await emptyLog(t);
  t.equal(await anchorLog(store, new Date()), undefined, 'an empty log');
  const stream = placeStream(randomUUID());
  await store.append(stream, [place(), place()], { expectedVersion: 'no_stream' });
  const head = await visible(store, (await store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' })).position);

  const first = await anchorLog(store, new Date('2026-11-30T12:00:00.000Z'));
  const hashes = (await store.raw.readAll({ from: START, limit: 100 })).filter((e) => comparePositions(e.position, head) <= 0).map((e) => e.metadata.hash!);
  t.same(first, { upTo: formatPosition(head), events: 3, digest: anchorDigest(GENESIS, hashes), previousDigest: GENESIS, anchoredAt: '2026-11-30T12:00:00.000Z' });
  await visible(store, (await anchorsOf(store))[0]!.position);
  t.equal(await anchorLog(store, new Date()), undefined, 'only the anchor itself since: nothing to anchor');

  const next = await visible(store, (await store.append(stream, [place()], { expectedVersion: 1 })).position);
  const second = await anchorLog(store, new Date());
  const since = (await store.raw.readAll({ from: parsePosition(first!.upTo)!, limit: 100 })).filter((e) => comparePositions(e.position, next) <= 0).map((e) => e.metadata.hash!);
  t.match(second, { upTo: formatPosition(next), events: 2, previousDigest: first!.digest, digest: anchorDigest(first!.digest, since) }, 'the first anchor and the new event');
  t.equal((await anchorsOf(store)).length, 2);
  const verified = await verifyLog(store.raw);
  t.equal(verified.failure, undefined);
  t.equal(verified.anchors, 2);
});

t.test('two processes anchoring at once: one anchor, the other gives up quietly', async (t) => {
  const { url, db, store } = await emptyLog(t);
  const other = catalogedEventStore(openProcess(t, url).store, eventCatalogue, personalKeys(db));
  let last = START;
  for (let i = 0; i < 5; i++) last = (await store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' })).position;
  await visible(store, last);
  await visible(other, last);
  const results = await Promise.all([anchorLog(store, new Date()), anchorLog(other, new Date())]);
  t.equal(results.filter((r) => r !== undefined).length, 1, 'one of them anchored');
  t.equal((await anchorsOf(store)).length, 1, 'the stream holds one anchor');
  t.equal((await verifyLog(store.raw)).failure, undefined);
});

const reactorOf = (runtime: TestRuntime) => runtime.runners.find((r) => r.projection.name === 'reactor-audit-anchors')!;
/** The runtime's store is the cataloged one (compose.ts), with the log as written. */
const catalogedOf = (runtime: TestRuntime) => runtime.store as CatalogedEventStore;

t.test('the reactor anchors new events once the interval has passed (since it started, or since the last anchor), not before', async (t) => {
  let clock = new Date('2026-11-30T09:00:00.000Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const store = catalogedOf(runtime);
  const appendPlace = async () => (await store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' })).position;
  const anchoredUpTo = (position: Position) =>
    until(async () => {
      const found = await anchorsOf(store);
      return found.some((a) => comparePositions(parsePosition(a.upTo)!, position) >= 0) ? found : undefined;
    }, 20_000, 'an anchor covering the event');

  // No anchor yet, and less than the interval (an hour by default) since it started: not anchored.
  await reactorOf(runtime).waitFor(await appendPlace());
  t.equal((await anchorsOf(store)).length, 0, 'nothing anchored within the first hour');

  clock = new Date('2026-11-30T10:00:00.000Z');
  t.equal((await anchoredUpTo(await appendPlace())).length, 1, 'an hour on, the next event is anchored with all before it');

  clock = new Date('2026-11-30T10:59:59.000Z');
  await reactorOf(runtime).waitFor(await appendPlace());
  t.equal((await anchorsOf(store)).length, 1, 'less than an hour since that anchor: not yet');

  clock = new Date('2026-11-30T11:00:00.000Z');
  const anchors = await anchoredUpTo(await appendPlace());
  t.equal(anchors.length, 2, 'an hour since the last anchor');
  t.same(anchors.map((a) => a.anchoredAt), ['2026-11-30T10:00:00.000Z', '2026-11-30T11:00:00.000Z']);
  t.equal((await verifyLog(store.raw)).failure, undefined);
});

t.test('with no interval it anchors after new events, and never because of its own anchors', async (t) => {
  const runtime = await startRuntime(t, { env: { AUDIT_ANCHOR_INTERVAL_SECONDS: '0' } });
  const store = catalogedOf(runtime);
  for (let round = 1; round <= 2; round++) {
    const { position } = await store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' });
    const anchors = await until(async () => {
      const found = await anchorsOf(store);
      return found.some((a) => comparePositions(parsePosition(a.upTo)!, position) >= 0) ? found : undefined;
    }, 20_000, `the events of round ${round} anchored`);
    t.equal(anchors.length, round, `round ${round}: one more anchor`);
    // The reactor meets its own anchor; that starts nothing.
    await reactorOf(runtime).waitFor(anchors.at(-1)!.position);
    t.equal(await anchorLog(store, new Date()), undefined, 'nothing but anchors since the last one');
  }
  t.equal((await anchorsOf(store)).length, 2);
  t.equal((await verifyLog(store.raw)).failure, undefined);
});

t.test('embedded (PGlite, one connection): the reactor anchors without holding up the projector', async (t) => {
  const runtime = await startRuntime(t, { database: 'pglite', env: { AUDIT_ANCHOR_INTERVAL_SECONDS: '0' } });
  const { position } = await runtime.store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' });
  const anchors = await until(async () => {
    const found = await anchorsOf(runtime.store);
    return found.length > 0 ? found : undefined;
  }, 20_000, 'an anchor');
  t.ok(comparePositions(parsePosition(anchors[0]!.upTo)!, position) >= 0, 'it covers the event');
  const { position: next } = await runtime.store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' });
  await runtime.deps.awaitProjections(next, ['places']);
  t.pass('read models keep up');
});

t.test('AUDIT_ANCHOR_INTERVAL_SECONDS: an hour by default, checked like every setting', async (t) => {
  t.equal(loadConfig({}).auditAnchorIntervalSeconds, 3600);
  t.equal(loadConfig({ AUDIT_ANCHOR_INTERVAL_SECONDS: '600' }).auditAnchorIntervalSeconds, 600);
  for (const bad of ['-1', 'hourly', '1.5', String(31 * 86_400)]) {
    t.throws(() => loadConfig({ AUDIT_ANCHOR_INTERVAL_SECONDS: bad }), { name: 'ConfigError', message: /AUDIT_ANCHOR_INTERVAL_SECONDS must be an integer from 0 to 2592000/ }, bad);
  }
});
