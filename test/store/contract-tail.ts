import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { START, comparePositions, type NewEvent } from '../../src/store/port.js';
import { assertDeliveredOnce, collect, events, newStream, settlesWithin, waitFor, waitForHead, type ContractSetup } from './contract-fixtures.js';

// The event store contract at the log's tail: subscriptions catching up and
// going live, the head position, and an event committed late.
export function tailContract(t: Test, setup: ContractSetup): void {
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
}
