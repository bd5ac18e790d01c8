import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { test } from 'tap';
import { START } from '../../src/store/port.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { scrape, type Scrape } from '../helpers/scrape.js';
import { staffMember } from '../helpers/staff.js';
import { until } from '../helpers/waiting.js';

const lagOf = (s: Scrape, metric: 'projection_lag_events' | 'projection_lag_seconds') =>
  new Map(s.samples.filter((x) => x.name === metric).map((x) => [x.labels.projection!, x.value]));

/** A scrape where every runner but `except` is caught up. */
const othersCaughtUp = (runtime: TestRuntime, except?: string) =>
  until(async () => {
    const s = await scrape(runtime.app);
    const lag = lagOf(s, 'projection_lag_events');
    const others = runtime.runners.map((r) => r.projection.name).filter((name) => name !== except);
    return others.every((name) => lag.get(name) === 0) ? s : undefined;
  }, 30_000, 'the running projections to catch up');

test('projection lag: events and seconds behind for a stopped runner, 0 for every projection and reactor that follows', async (t) => {
  const runtime = await startRuntime(t);
  await staffMember(runtime, uniqueEmail());
  const caughtUp = await othersCaughtUp(runtime);
  const names = runtime.runners.map((r) => r.projection.name).sort();
  t.ok(names.some((name) => name.startsWith('reactor-')), 'reactors are among the runners');
  t.same([...lagOf(caughtUp, 'projection_lag_events').keys()].sort(), names, 'one series per projection and reactor');
  t.ok([...lagOf(caughtUp, 'projection_lag_seconds').values()].every((s) => s === 0), 'caught up: 0 seconds behind');

  const stopped = runtime.runners[0]!;
  await stopped.stop();
  const at = stopped.status().position;
  await staffMember(runtime, uniqueEmail());
  await staffMember(runtime, uniqueEmail());

  // Once the others have caught up, the log holds what it will: the stopped runner is exactly that far behind.
  const behind = await until(async () => {
    const s = await othersCaughtUp(runtime, stopped.projection.name);
    const [commit, prepare] = at.split('/');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE (transaction_id, global_position) > (${commit}::text::xid8, ${prepare}::bigint)`.execute(runtime.connection.db);
    const expected = rows[0]!.n;
    return lagOf(s, 'projection_lag_events').get(stopped.projection.name) === expected ? { s, expected } : undefined;
  }, 30_000, 'the stopped runner to be as far behind as the log is long past it');
  t.ok(behind.expected >= 2, `the stopped runner is ${behind.expected} events behind`);
  const waited = lagOf(behind.s, 'projection_lag_seconds').get(stopped.projection.name)!;
  t.ok(waited > 0, `and its oldest waiting event has waited ${waited} s`);
  const later = lagOf(await scrape(runtime.app), 'projection_lag_seconds').get(stopped.projection.name)!;
  t.ok(later >= waited, 'the wait only grows while it is stopped');
  t.equal(lagOf(behind.s, 'projection_lag_seconds').get(runtime.runners[1]!.projection.name), 0, 'a running one is 0 seconds behind');
});

test('appends are counted and timed by outcome: ok after a command over HTTP, conflict, error', async (t) => {
  const runtime = await startRuntime(t);
  const before = await scrape(runtime.app);
  for (const outcome of ['ok', 'conflict', 'error']) t.equal(before.value('event_store_appends_total', { outcome }) !== undefined, true, `the ${outcome} series exists from the start`);

  const created = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: uniquePhone(), password: 'person-password' } });
  t.equal(created.status, 201);
  const after = await scrape(runtime.app);
  const grew = (name: string, labels?: Record<string, string>) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
  t.ok(grew('event_store_appends_total', { outcome: 'ok' }) >= 1, 'the append is counted');
  t.ok(grew('event_store_append_duration_seconds_count', { outcome: 'ok' }) >= 1, 'and timed');
  t.ok(grew('event_store_append_duration_seconds_sum', { outcome: 'ok' }) > 0, 'for some time');
  t.ok(grew('event_store_appended_events_total') >= 1, 'its events are counted');
  t.equal(grew('event_store_appends_total', { outcome: 'conflict' }), 0, 'no conflict yet');

  // A writer that expects the stream not to exist, when it does: the store refuses it.
  const [existing] = await runtime.store.readAll({ from: START, limit: 1 });
  if (!existing) throw new Error('the log is empty');
  const { actor, correlationId, causationId } = existing.metadata;
  const copy = { type: existing.type, data: existing.data, metadata: { actor, correlationId, causationId } };
  await t.rejects(runtime.store.append(existing.stream, [copy], { expectedVersion: 'no_stream' }), { name: 'WrongExpectedVersion' });
  await t.rejects(runtime.store.append(`metrics-${randomUUID()}`, [{ ...copy, type: 'NoSuchEvent' }], { expectedVersion: 'any' }), { name: 'InvalidEvent' });
  const last = await scrape(runtime.app);
  t.equal((last.value('event_store_appends_total', { outcome: 'conflict' }) ?? 0) - (after.value('event_store_appends_total', { outcome: 'conflict' }) ?? 0), 1, 'the conflict is counted as a conflict');
  t.equal((last.value('event_store_append_duration_seconds_count', { outcome: 'conflict' }) ?? 0) - (after.value('event_store_append_duration_seconds_count', { outcome: 'conflict' }) ?? 0), 1, 'and timed');
  t.equal((last.value('event_store_appends_total', { outcome: 'error' }) ?? 0) - (after.value('event_store_appends_total', { outcome: 'error' }) ?? 0), 1, 'a refused event is an error');
});

test('jobs by queue and state, completed and failed included (BullMQ)', async (t) => {
  const runtime = await startRuntime(t, { redis: true });
  const registered = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: uniquePhone(), password: 'person-password' } });
  t.equal(registered.status, 201);
  await runtime.jobs.enqueue('no-such-job', { clientId: randomUUID() }, { attempts: 1 });
  const s = await until(async () => {
    const s = await scrape(runtime.app);
    return s.value('jobs', { queue: 'jobs', state: 'failed' }) === 1 && (s.value('jobs', { queue: 'jobs', state: 'completed' }) ?? 0) >= 1 ? s : undefined;
  }, 30_000, 'the SMS job completed and the unknown job failed');
  for (const state of ['waiting', 'active', 'delayed']) t.type(s.value('jobs', { queue: 'jobs', state }), 'number', `${state} is reported`);
  t.pass('the failed job and the sent SMS show by state');
});

test('jobs by queue and state in process: what the adapter knows, no completed series', async (t) => {
  const runtime = await startRuntime(t);
  await runtime.jobs.enqueue('no-such-job', { clientId: randomUUID() }, { attempts: 1 });
  const s = await until(async () => {
    const s = await scrape(runtime.app);
    return s.value('jobs', { queue: 'jobs', state: 'failed' }) === 1 ? s : undefined;
  }, 30_000, 'the unknown job to fail');
  for (const state of ['waiting', 'active', 'delayed']) t.type(s.value('jobs', { queue: 'jobs', state }), 'number', `${state} is reported`);
  t.equal(s.value('jobs', { queue: 'jobs', state: 'completed' }), undefined, 'the in-process queue keeps no completed jobs to count');
});

test('two apps in one process keep their own counts', async (t) => {
  const first = await startRuntime(t);
  const second = await startRuntime(t);
  const base = (await scrape(second.app)).value('event_store_appends_total', { outcome: 'ok' }) ?? 0;
  t.equal((await call(first.app, 'POST', '/api/v1/auth/register', { body: { phone: uniquePhone(), password: 'person-password' } })).status, 201);
  t.equal((await scrape(second.app)).value('event_store_appends_total', { outcome: 'ok' }) ?? 0, base, "the second app's appends did not move");
});

test('projection lag on embedded PGlite too', async (t) => {
  const runtime = await startRuntime(t, { database: 'pglite' });
  await staffMember(runtime, uniqueEmail());
  const s = await othersCaughtUp(runtime);
  t.equal(lagOf(s, 'projection_lag_events').size, runtime.runners.length, 'every runner has its lag');
  t.ok([...lagOf(s, 'projection_lag_seconds').values()].every((v) => v === 0), 'caught up: 0 seconds');
});
