import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { compose } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { connect } from '../../src/db/connect.js';
import { call } from '../helpers/runtime.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/waiting.js';

// PostgreSQL goes away under load and comes back (a TCP proxy between the
// service and the shared server resets every connection and refuses new ones).
// The one process of ROLE=all keeps running: requests meanwhile answer 503
// with Retry-After (never 500), readiness says 503, and after the restore the
// API writes again and the projectors catch up with every acknowledged write.

t.test('a PostgreSQL outage: 503 + Retry-After meanwhile, readiness 503 then 200, projectors catch up, nothing acknowledged is lost', async (t) => {
  const url = await freshPostgresUrl(t);
  const proxy = await startTcpProxy(t, { port: Number(new URL(url).port || 5432) });
  const dataDir = await mkdtemp(join(tmpdir(), 'outage-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const runtime = await compose(
    // No load shedding (test/api/under-pressure.test.ts has it): once shed, the writers' injected
    // requests answer without ever yielding to the timers that end a sample window, so they would spin.
    loadConfig({ DATA_DIR: dataDir, DATABASE_URL: proxy.via(url), LOG_LEVEL: 'silent', READ_YOUR_WRITES_TIMEOUT_MS: '500', MAX_EVENT_LOOP_DELAY_MS: '0' }),
    pino({ level: 'silent' }),
  );
  t.teardown(() => runtime.close());
  const app = runtime.app!;

  const statuses = new Map<number, number>();
  const acknowledged: string[] = [];
  const outageReplies: { status: number; retryAfter: unknown; body: unknown }[] = [];
  let phase: 'before' | 'outage' | 'after' = 'before';
  let stop = false;
  // Two writers, as two clients would: each registers a staff user and keeps going whatever the answer.
  const writer = async () => {
    while (!stop) {
      const email = `u-${randomUUID()}@outage.test`;
      const reply = await call(app, 'POST', '/api/v1/users', { body: { email, password: 'staff-password' } }).catch(() => undefined);
      if (!reply) break; // the runtime closed under a failed test
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status === 201 || reply.status === 202) acknowledged.push(reply.body.id as string);
      if (phase === 'outage' && reply.status !== 201 && reply.status !== 202) outageReplies.push({ status: reply.status, retryAfter: reply.headers['retry-after'], body: reply.body });
    }
  };
  const writers = [writer(), writer()];

  await until(() => acknowledged.length >= 5 || undefined);
  t.equal((await call(app, 'GET', '/health/ready')).status, 200, 'ready before the outage');

  proxy.cut();
  phase = 'outage';
  const cutAt = Date.now();
  await until(() => outageReplies.length >= 20 || undefined, 30_000);
  // Every projector has met the outage several times (and is retrying with backoff, not gone).
  await until(() => runtime.runners.every((r) => r.status().state === 'failing' && r.status().failures >= 4) || undefined, 60_000);
  const ready = await call(app, 'GET', '/health/ready');
  t.equal(ready.status, 503, 'not ready while the database is unreachable');
  t.equal(ready.body.checks.database.status, 'down');

  proxy.restore();
  phase = 'after';
  const restoredAt = Date.now();
  await until(async () => (await call(app, 'GET', '/health/ready')).status === 200 || undefined, 60_000);
  const readyAfterMs = Date.now() - restoredAt;
  const writesBefore = acknowledged.length;
  await until(() => acknowledged.length >= writesBefore + 5 || undefined, 60_000);
  const writingAfterMs = Date.now() - restoredAt;
  stop = true;
  await Promise.all(writers);

  t.ok(outageReplies.length >= 20);
  t.ok(outageReplies.every((r) => r.status === 503), 'every refused request during the outage is a 503', { statuses: [...new Set(outageReplies.map((r) => r.status))] });
  t.ok(outageReplies.every((r) => r.retryAfter !== undefined), 'with Retry-After');
  t.same(outageReplies[0]?.body, { detail: 'The service is temporarily unavailable; try again shortly.' });
  t.notOk(statuses.has(500), 'never a 500');

  // Every acknowledged registration is in the log and, once the projector caught up, in the read model.
  const direct = connect({ kind: 'postgres', url });
  t.teardown(() => direct.db.destroy());
  const logged = await direct.db.selectFrom('events').select('stream_id').where('type', '=', 'UserRegistered').execute();
  const lost = acknowledged.filter((id) => !logged.some((e) => e.stream_id.endsWith(id)));
  t.same(lost, [], 'no acknowledged write is missing from the log');
  const head = await runtime.store.headPosition();
  await until(async () => (await runtime.deps.awaitProjections(head, ['users'])) || undefined, 60_000);
  const caughtUpMs = Date.now() - restoredAt;
  const projected = await direct.db.selectFrom('users').select('id').where('id', 'in', acknowledged).execute();
  t.equal(projected.length, acknowledged.length, 'the users projection caught up with every acknowledged write');
  // Projectors with nothing to apply retry on their own backoff (at most OUTAGE_RETRY_MS apart): wait for each to be back.
  await until(() => runtime.runners.every((r) => r.status().state === 'running') || undefined, 60_000).catch(() => undefined);
  t.ok(runtime.runners.every((r) => r.status().state === 'running'), 'every projector runs again', { runners: runtime.runners.map((r) => r.status()) });

  t.comment(
    `outage figures: ${[...statuses].map(([s, n]) => `${n}x${s}`).join(', ')} over ${Math.round((restoredAt - cutAt) / 1000)} s of outage; ` +
      `ready ${readyAfterMs} ms, writing ${writingAfterMs} ms, read model caught up ${caughtUpMs} ms after restore; acknowledged ${acknowledged.length}, lost ${lost.length}`,
  );
});
