import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { START, WrongExpectedVersion, comparePositions, type EventStore, type StoredEvent } from '../../src/store/port.js';
import { tailContract } from './contract-tail.js';
import { assertDeliveredOnce, events, expectWrongVersion, newEvent, newStream, waitForHead, type ContractSetup } from './contract-fixtures.js';

// The event store contract every adapter passes: appends and reads here, the
// tail (subscriptions, head position, late commits) in contract-tail.ts.
export {
  assertDeliveredOnce, collect, events, newEvent, newStream, settlesWithin, waitFor, waitForHead,
  type Collector, type ContractSetup, type ContractSubject, type HeldAppend,
} from './contract-fixtures.js';

export function eventStoreContract(t: Test, name: string, setup: ContractSetup): void {
  t.test(`event store contract: ${name}`, async (t) => {
    appendReadContract(t, setup);
    tailContract(t, setup);
  });
}

function appendReadContract(t: Test, setup: ContractSetup): void {
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
}
