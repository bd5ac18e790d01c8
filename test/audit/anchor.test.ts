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
import { startRuntime } from '../helpers/runtime.js';
import type { JobQueue, Logger } from '../../src/jobs/queue.js';
import { logAnchoring } from '../../src/workflows/audit/anchoring.js';
import { openProcess, systemMetadata, visible } from '../helpers/store-events.js';
import { until } from '../helpers/waiting.js';
import { emptyLog } from './log-fixture.js';

// Anchoring: a digest over the hashes of the events since the previous
// anchor; by hand (the CLI), by the clock, and by two processes at once.

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

/** The periodic task as compose.ts builds it, on a clock the test moves, run by hand. */
function anchoring(store: CatalogedEventStore, intervalSeconds: number, clock: () => Date) {
  const config = loadConfig({ AUDIT_ANCHOR_INTERVAL_SECONDS: String(intervalSeconds) });
  const logger = { info() {}, warn() {}, error() {} } as unknown as Logger;
  return logAnchoring({ store, config, now: clock, logger, jobs: undefined as unknown as JobQueue });
}

t.test('the clock anchors new events once the interval has passed (since the process started, or since the last anchor), not before', async (t) => {
  const { store } = await emptyLog(t);
  let clock = new Date('2026-11-30T09:00:00.000Z');
  const task = anchoring(store, 3600, () => clock);
  t.equal(task.everyMs, 60_000, 'an hour between anchors: the clock is looked at every minute');
  const appendPlace = async () => visible(store, (await store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' })).position);

  await appendPlace();
  await task.run();
  t.equal((await anchorsOf(store)).length, 0, 'nothing anchored within the first hour');

  clock = new Date('2026-11-30T10:00:00.000Z');
  const covered = await appendPlace();
  await task.run();
  const first = await anchorsOf(store);
  t.equal(first.length, 1, 'an hour on, everything up to the head is anchored');
  t.ok(comparePositions(parsePosition(first[0]!.upTo)!, covered) >= 0);

  clock = new Date('2026-11-30T10:59:59.000Z');
  await visible(store, first[0]!.position);
  await appendPlace();
  await task.run();
  t.equal((await anchorsOf(store)).length, 1, 'less than an hour since that anchor: not yet');

  clock = new Date('2026-11-30T11:00:00.000Z');
  await task.run();
  const anchors = await anchorsOf(store);
  t.same(anchors.map((a) => a.anchoredAt), ['2026-11-30T10:00:00.000Z', '2026-11-30T11:00:00.000Z'], 'an hour since the last anchor');
  await visible(store, anchors[1]!.position);
  clock = new Date('2026-11-30T13:00:00.000Z');
  await task.run();
  t.equal((await anchorsOf(store)).length, 2, 'a quiet log (nothing but anchors since) is not anchored again');
  t.equal((await verifyLog(store.raw)).failure, undefined);
});

t.test('a running service anchors on its own, and never because of its own anchors', async (t) => {
  const runtime = await startRuntime(t, { env: { AUDIT_ANCHOR_INTERVAL_SECONDS: '0' } });
  const store = runtime.store as CatalogedEventStore;
  for (let round = 1; round <= 2; round++) {
    const { position } = await store.append(placeStream(randomUUID()), [place()], { expectedVersion: 'no_stream' });
    const anchors = await until(async () => {
      const found = await anchorsOf(store);
      return found.some((a) => comparePositions(parsePosition(a.upTo)!, position) >= 0) ? found : undefined;
    }, 20_000, `the events of round ${round} anchored`);
    t.equal(anchors.length, round, `round ${round}: one more anchor, none for the anchors themselves`);
  }
  t.equal((await verifyLog(store.raw)).failure, undefined);
});

t.test('embedded (PGlite, one connection): anchoring does not hold up the projector', async (t) => {
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
