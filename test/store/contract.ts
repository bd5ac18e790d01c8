import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import {
  START,
  WrongExpectedVersion,
  comparePositions,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type Position,
  type StoredEvent,
  type Subscription,
} from '../../src/store/port.js';
import { eventually as waitFor } from '../helpers/waiting.js';

/** An append whose transaction stays open until commit(). */
export interface HeldAppend {
  commit(): Promise<void>;
}

export interface ContractSubject {
  readonly store: EventStore;
  /**
   * Nothing else writes to this store (a fresh database): the suite then also
   * checks global facts (readAll from START, an empty store's head). A shared
   * EventStoreDB is not isolated: the suite only looks at its own random streams.
   */
  readonly isolated?: boolean;
  /**
   * Appends `events` to `stream` in a transaction on another connection and
   * resolves once they are written, leaving the transaction open. Adapters that
   * cannot interleave transactions (PGlite, EventStoreDB) leave it out and the
   * late-commit test is skipped.
   */
  readonly holdOpenAppend?: (stream: string, events: readonly NewEvent[]) => Promise<HeldAppend>;
}

export type ContractSetup = (t: Test) => Promise<ContractSubject>;

export const newStream = (prefix = 'contract'): string => `${prefix}-${randomUUID()}`;

export function newEvent(type = 'Tested', data: unknown = { n: 1 }, id?: string): NewEvent {
  const metadata = { actor: { kind: 'system' as const }, correlationId: randomUUID(), causationId: randomUUID() };
  return id === undefined ? { type, data, metadata } : { id, type, data, metadata };
}

/** Events with ids chosen here, so that tests can recognise them when read back. */
export const events = (count: number, type = 'Tested'): (NewEvent & { id: string })[] =>
  Array.from({ length: count }, (_, n) => ({ ...newEvent(type, { n }), id: randomUUID() }));

/** Whether `promise` settles within `ms` (without a timer left behind to hold the process open). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until readers can see `position` (a store may lag behind transactions in flight elsewhere). */
export async function waitForHead(store: EventStore, position: Position, timeoutMs = 5000): Promise<Position> {
  const deadline = Date.now() + timeoutMs;
  let head = await store.headPosition();
  while (comparePositions(head, position) < 0 && Date.now() < deadline) {
    await sleep(10);
    head = await store.headPosition();
  }
  return head;
}

export { waitFor };

export interface Collector {
  /** Every event delivered, in delivery order (other writers' too). */
  readonly all: StoredEvent[];
  /** Delivered events of the watched streams, in delivery order. */
  readonly ours: StoredEvent[];
  readonly errors: unknown[];
  readonly subscription: Subscription;
}

/**
 * Subscribes and records what arrives; closes itself at the test's end, or from
 * inside onEvents once `closeAt` events of the watched streams arrived.
 */
export function collect(t: Test, store: EventStore, from: Position, streams: ReadonlySet<string>, options: { batchSize?: number; closeAt?: number } = {}): Collector {
  const collector: Omit<Collector, 'subscription'> & { subscription?: Subscription } = { all: [], ours: [], errors: [] };
  const subscription = store.subscribe({
    from,
    batchSize: options.batchSize,
    onEvents: async (batch) => {
      collector.all.push(...batch);
      collector.ours.push(...batch.filter((e) => streams.has(e.stream)));
      // Not awaited: close() waits for this very batch to be handled.
      if (options.closeAt !== undefined && collector.ours.length >= options.closeAt) void subscription.close();
    },
    onError: (error) => collector.errors.push(error),
  });
  collector.subscription = subscription;
  t.teardown(() => subscription.close());
  return collector as Collector;
}

async function expectWrongVersion(t: Test, attempt: Promise<unknown>, stream: string, expected: ExpectedVersion, actual: number, what: string): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WrongExpectedVersion)) {
    t.fail(`${what}: WrongExpectedVersion expected`, { found: error });
    return;
  }
  t.equal(error.stream, stream, `${what}: error names the stream`);
  t.same(error.expected, expected, `${what}: error carries the expected version`);
  t.ok(error.actual === undefined || error.actual === actual, `${what}: actual version is ${actual} (or unknown)`, { found: error.actual });
}

/** Each expected event delivered exactly once, in increasing position, each stream in version order. */
export function assertDeliveredOnce(t: Test, delivered: readonly StoredEvent[], expectedIds: readonly string[], what: string): void {
  const ids = delivered.map((e) => e.id);
  t.equal(new Set(ids).size, ids.length, `${what}: no event delivered twice`);
  t.same([...ids].sort(), [...expectedIds].sort(), `${what}: every event delivered`);
  const strictlyIncreasing = delivered.every((e, i) => i === 0 || comparePositions(delivered[i - 1]!.position, e.position) < 0);
  t.ok(strictlyIncreasing, `${what}: delivered in increasing global position`);
  const lastVersion = new Map<string, number>();
  const inVersionOrder = delivered.every((e) => {
    const ok = e.version === (lastVersion.get(e.stream) ?? -1) + 1;
    lastVersion.set(e.stream, e.version);
    return ok;
  });
  t.ok(inVersionOrder, `${what}: each stream's events arrive in version order without gaps`);
}

export function eventStoreContract(t: Test, name: string, setup: ContractSetup): void {
  t.test(`event store contract: ${name}`, async (t) => {
    t.test('no_stream: creates a new stream, rejects an existing one', async (t) => {
      const { store } = await setup(t);
      const stream = newStream();
      const result = await store.append(stream, events(3), { expectedVersion: 'no_stream' });
      t.equal(result.version, 2, 'three events on a new stream end at version 2');
      await expectWrongVersion(t, store.append(stream, events(1), { expectedVersion: 'no_stream' }), stream, 'no_stream', 2, 'no_stream on existing');
      t.equal((await store.readStream(stream)).length, 3, 'the rejected append wrote nothing');
    });

    t.test('stream_exists: rejects a missing stream, appends to an existing one', async (t) => {
      const { store } = await setup(t);
      const stream = newStream();
      await expectWrongVersion(t, store.append(stream, events(1), { expectedVersion: 'stream_exists' }), stream, 'stream_exists', -1, 'stream_exists on missing');
      t.same(await store.readStream(stream), [], 'the rejected append created nothing');
      await store.append(stream, events(1), { expectedVersion: 'no_stream' });
      t.equal((await store.append(stream, events(2), { expectedVersion: 'stream_exists' })).version, 2, 'appended after version 0');
    });

    t.test('exact version: accepts the current version only', async (t) => {
      const { store } = await setup(t);
      const stream = newStream();
      await expectWrongVersion(t, store.append(stream, events(1), { expectedVersion: 0 }), stream, 0, -1, 'version 0 on missing');
      await store.append(stream, events(2), { expectedVersion: 'no_stream' });
      t.equal((await store.append(stream, events(1), { expectedVersion: 1 })).version, 2, 'expected 1 appends version 2');
      await expectWrongVersion(t, store.append(stream, events(1), { expectedVersion: 1 }), stream, 1, 2, 'lower version');
      await expectWrongVersion(t, store.append(stream, events(1), { expectedVersion: 5 }), stream, 5, 2, 'higher version');
      t.equal((await store.append(stream, events(2), { expectedVersion: 2 })).version, 4, 'expected 2 appends versions 3 and 4');
      t.same((await store.readStream(stream)).map((e) => e.version), [0, 1, 2, 3, 4], 'rejected appends wrote nothing');
    });

    t.test('any: appends to a missing and to an existing stream', async (t) => {
      const { store } = await setup(t);
      const stream = newStream();
      t.equal((await store.append(stream, events(1), { expectedVersion: 'any' })).version, 0, 'missing stream');
      t.equal((await store.append(stream, events(2), { expectedVersion: 'any' })).version, 2, 'existing stream');
    });

    t.test('appended events read back as written', async (t) => {
      const { store } = await setup(t);
      const stream = newStream();
      const written = [newEvent('First', { a: 1, nested: { list: [1, 'two', null] } }, randomUUID()), newEvent('Second', { b: 'x' }), newEvent('Third', { c: true }, randomUUID())];
      const before = Date.now();
      const result = await store.append(stream, written, { expectedVersion: 'no_stream' });
      const after = Date.now();
      const read = await store.readStream(stream);
      t.same(read.map((e) => e.version), [0, 1, 2], 'zero-based versions');
      t.same(read.map((e) => e.stream), [stream, stream, stream], 'stream');
      t.same(read.map((e) => e.type), ['First', 'Second', 'Third'], 'types');
      t.same(read.map((e) => e.data), written.map((e) => e.data), 'data');
      t.same(read.map((e) => e.metadata), written.map((e) => e.metadata), 'metadata');
      t.equal(read[0]?.id, written[0]?.id, 'given id kept');
      t.equal(read[2]?.id, written[2]?.id, 'given id kept');
      t.match(read[1]?.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'missing id generated as a uuid');
      t.ok(read.every((e) => e.createdAt instanceof Date && e.createdAt.getTime() >= before - 5000 && e.createdAt.getTime() <= after + 5000), 'createdAt is the append time');
      t.ok(read.every((e, i) => i === 0 || comparePositions(read[i - 1]!.position, e.position) < 0), 'positions increase');
      t.equal(result.version, 2, 'result version');
      t.same(result.position, read[2]?.position, 'result position is the last event position');
    });

    t.test('readStream: forwards, backwards, from, limit, missing', async (t) => {
      const { store } = await setup(t);
      const stream = newStream();
      await store.append(stream, events(5), { expectedVersion: 'no_stream' });
      const versions = async (options?: Parameters<EventStore['readStream']>[1]): Promise<number[]> => (await store.readStream(stream, options)).map((e) => e.version);
      t.same(await versions(), [0, 1, 2, 3, 4], 'all forwards');
      t.same(await versions({ from: 2 }), [2, 3, 4], 'forwards from 2 inclusive');
      t.same(await versions({ limit: 2 }), [0, 1], 'forwards limit');
      t.same(await versions({ from: 1, limit: 2 }), [1, 2], 'forwards from and limit');
      t.same(await versions({ from: 9 }), [], 'forwards past the end');
      t.same(await versions({ direction: 'backwards' }), [4, 3, 2, 1, 0], 'all backwards');
      t.same(await versions({ direction: 'backwards', from: 3, limit: 2 }), [3, 2], 'backwards from 3 inclusive with limit');
      t.same(await versions({ direction: 'backwards', limit: 1 }), [4], 'last event');
      t.same(await store.readStream(newStream()), [], 'missing stream forwards');
      t.same(await store.readStream(newStream(), { direction: 'backwards' }), [], 'missing stream backwards');
    });

    t.test('concurrent appends at one expected version: exactly one wins', async (t) => {
      const { store } = await setup(t);
      for (const [label, expectedVersion, prior] of [['version 0', 0, 1], ['no_stream', 'no_stream', 0]] as const) {
        const stream = newStream();
        if (prior) await store.append(stream, events(prior), { expectedVersion: 'no_stream' });
        const attempts = Array.from({ length: 20 }, (_, n) => newEvent('Racing', { n }, randomUUID()));
        const results = await Promise.allSettled(attempts.map((e) => store.append(stream, [e], { expectedVersion })));
        const won = results.flatMap((r, n) => (r.status === 'fulfilled' ? [n] : []));
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        t.equal(won.length, 1, `${label}: exactly one append wins`);
        t.equal(lost.length, 19, `${label}: the others fail`);
        t.ok(lost.every((r) => r.reason instanceof WrongExpectedVersion), `${label}: with WrongExpectedVersion`, { reasons: lost.filter((r) => !(r.reason instanceof WrongExpectedVersion)).map((r) => String(r.reason)) });
        const read = await store.readStream(stream);
        t.equal(read.length, prior + 1, `${label}: one event written at version ${prior}`);
        const winner = won[0] === undefined ? undefined : attempts[won[0]];
        t.equal(read[prior]?.id, winner?.id, `${label}: it is the winner's event`);
        t.same(read[prior]?.data, winner?.data, `${label}: with the winner's data`);
      }
    });

    t.test('readAll: pages in global order, from is exclusive', async (t) => {
      const { store, isolated } = await setup(t);
      const base = isolated ? START : await store.headPosition();
      const [a, b, c] = [newStream(), newStream(), newStream()];
      const ours = new Set([a, b, c]);
      const appended: string[] = [];
      let last = START;
      for (const [stream, count] of [[a, 2], [b, 1], [a, 1], [c, 3], [b, 2]] as const) {
        const batch = events(count);
        last = (await store.append(stream, batch, { expectedVersion: 'any' })).position;
        appended.push(...batch.map((e) => e.id));
      }
      t.ok(comparePositions(await waitForHead(store, last), last) >= 0, 'the appends become visible to readers');
      const pages: StoredEvent[][] = [];
      let from = base;
      for (let guard = 0; guard < 1000; guard++) {
        const page = await store.readAll({ from, limit: 2 });
        t.ok(page.length <= 2, 'a page holds at most limit events');
        if (page.length === 0) break;
        pages.push(page);
        from = page[page.length - 1]!.position;
        // A shared store may keep growing: stop once all of ours went by.
        if (!isolated && pages.flat().filter((e) => ours.has(e.stream)).length === appended.length) break;
      }
      const all = pages.flat();
      const mine = all.filter((e) => ours.has(e.stream));
      if (isolated) t.equal(all.length, appended.length, 'from START the store holds exactly our events');
      t.ok(all.every((e, i) => i === 0 || comparePositions(all[i - 1]!.position, e.position) < 0), 'strictly increasing positions across pages');
      t.same(mine.map((e) => e.id), appended, 'our events in append order (sequential appends)');
      assertDeliveredOnce(t, mine, appended, 'readAll');
      const pivot = mine[3]!;
      const after = (await store.readAll({ from: pivot.position, limit: 100 })).filter((e) => ours.has(e.stream));
      t.equal(after[0]?.id, mine[4]?.id, 'from is exclusive: reading from an event starts with the next one');
      t.equal(after.length, appended.length - 4, 'and returns everything after it');
      t.same(await store.readAll({ from: START, limit: 0 }), [], 'limit 0 reads nothing');
    });

    t.test('subscribe: catch up, close, resume from the checkpoint, then live', async (t) => {
      const { store } = await setup(t);
      const base = await store.headPosition();
      const [a, b] = [newStream(), newStream()];
      const streams = new Set([a, b]);
      const first = [...events(2), ...events(2), ...events(2)];
      for (let i = 0; i < first.length; i += 2) await store.append(a, first.slice(i, i + 2), { expectedVersion: 'any' });

      const one = collect(t, store, base, streams, { batchSize: 2, closeAt: 1 });
      t.ok(await settlesWithin(one.subscription.done, 5000), 'closing from inside onEvents stops the subscription');
      t.same(one.errors, [], 'first subscription: no error');
      t.ok(one.ours.length >= 1 && one.ours.length < first.length, 'first subscription stopped part-way', { delivered: one.ours.length });
      const checkpoint = one.all[one.all.length - 1]?.position ?? base;

      const second = [...events(2), ...events(3)];
      await store.append(a, second.slice(0, 2), { expectedVersion: 'any' });
      await store.append(b, second.slice(2), { expectedVersion: 'no_stream' });
      const two = collect(t, store, checkpoint, streams, { batchSize: 3 });
      const total = first.length + second.length;
      t.ok(await waitFor(() => one.ours.length + two.ours.length >= total), 'resumed subscription catches up');

      // Live: appended after the subscription caught up, no re-subscribing.
      const live = events(3);
      await store.append(b, live.slice(0, 1), { expectedVersion: 2 });
      await store.append(a, live.slice(1), { expectedVersion: 7 });
      t.ok(await waitFor(() => one.ours.length + two.ours.length >= total + live.length), 'live events arrive');
      await sleep(200);
      await two.subscription.close();
      t.same(two.errors, [], 'second subscription: no error');
      assertDeliveredOnce(t, [...one.ours, ...two.ours], [...first, ...second, ...live].map((e) => e.id), 'across the restart');
    });

    t.test('subscribe: live delivery to a subscription started on an empty tail', async (t) => {
      const { store } = await setup(t);
      const stream = newStream();
      const c = collect(t, store, await store.headPosition(), new Set([stream]), { batchSize: 4 });
      await sleep(100);
      const written = events(5);
      await store.append(stream, written.slice(0, 2), { expectedVersion: 'no_stream' });
      t.ok(await waitFor(() => c.ours.length >= 2), 'first live batch arrives');
      await store.append(stream, written.slice(2), { expectedVersion: 1 });
      t.ok(await waitFor(() => c.ours.length >= 5), 'second live batch arrives');
      await sleep(100);
      await c.subscription.close();
      await c.subscription.done;
      t.pass('done resolves after close');
      assertDeliveredOnce(t, c.ours, written.map((e) => e.id), 'live');
    });

    t.test('subscribe: a failing handler stops the subscription with onError', async (t) => {
      const { store } = await setup(t);
      const base = await store.headPosition();
      const stream = newStream();
      await store.append(stream, events(2), { expectedVersion: 'no_stream' });
      const failure = new Error('handler failed');
      const errors: unknown[] = [];
      let calls = 0;
      const subscription = store.subscribe({
        from: base,
        onEvents: async () => {
          calls++;
          throw failure;
        },
        onError: (error) => errors.push(error),
      });
      t.teardown(() => subscription.close());
      t.ok(await settlesWithin(subscription.done, 5000), 'done resolves');
      t.same(errors, [failure], 'onError receives the error');
      t.equal(calls, 1, 'no further batch after the failure');
    });

    t.test('headPosition is the last appended event position', async (t) => {
      const { store, isolated } = await setup(t);
      if (isolated) t.same(await store.headPosition(), START, 'an empty store is at START');
      await store.append(newStream(), events(2), { expectedVersion: 'no_stream' });
      const last = await store.append(newStream(), events(3), { expectedVersion: 'no_stream' });
      const head = await waitForHead(store, last.position);
      if (isolated) t.same(head, last.position, 'head equals the last append position');
      else t.ok(comparePositions(head, last.position) >= 0, 'head is at or after the last append');
      await t.resolves(store.ping(), 'ping');
    });

    t.test('an event committed late is neither skipped nor overtaken', async (t) => {
      const { store, holdOpenAppend } = await setup(t);
      if (!holdOpenAppend) {
        t.plan(0, 'the adapter cannot hold an append open on another connection');
        return;
      }
      const late = newStream('late');
      const others = [newStream(), newStream(), newStream()];
      const c = collect(t, store, await store.headPosition(), new Set([late, ...others]), { batchSize: 10 });
      const warmup = events(1);
      await store.append(others[0]!, warmup, { expectedVersion: 'no_stream' });
      t.ok(await waitFor(() => c.ours.length === 1), 'an event before the open transaction is delivered');

      const lateEvents = events(1, 'Late');
      const held = await holdOpenAppend(late, lateEvents);
      const after: (NewEvent & { id: string })[] = [];
      try {
        for (const stream of others) {
          const batch = events(2);
          await store.append(stream, batch, { expectedVersion: 'any' });
          after.push(...batch);
        }
        await sleep(400);
        t.same(c.ours.map((e) => e.id), warmup.map((e) => e.id), 'nothing committed after the open transaction is delivered while it is open');
      } finally {
        await held.commit();
      }
      t.ok(await waitFor(() => c.ours.length >= 2 + after.length), 'everything arrives once the transaction commits');
      await sleep(150);
      assertDeliveredOnce(t, c.ours, [...warmup, ...lateEvents, ...after].map((e) => e.id), 'late commit');
      t.equal(c.ours[1]?.id, lateEvents[0]?.id, 'the late event comes before the events of transactions that began after it');
      t.same(c.errors, [], 'no subscription error');
    });
  });
}
