import pg from 'pg';
import t from 'tap';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { createAwaitProjections } from '../../src/projections/read-your-writes.js';
import { connect } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { countingProjection, countingState, createCountingTables, duplicates } from '../helpers/counting.js';
import { quiet, sorted } from '../helpers/runner-cases.js';
import { appendCounted, migratedProcess, openProcess } from '../helpers/store-events.js';
import { adminUrl, freshPostgresUrl } from '../helpers/databases.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/waiting.js';

// PostgreSQL restarting terminates every backend with 57P01 ("terminating
// connection due to administrator command"), the projector's included while
// it holds a connection inside a batch's transaction. It used to exit there.

t.test('a projector whose connection is terminated inside a batch, three times, retries and applies every event once', async (t) => {
  const url = await freshPostgresUrl(t);
  const writer = await migratedProcess(t, url);
  await createCountingTables(writer.db);
  const { ids } = await appendCounted(writer.store, { streams: 3, perStream: 20, chunk: 5 });

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  t.teardown(() => admin.end());
  const database = new URL(url).pathname.slice(1);

  // The projector holds each of its first batches (its transaction open, its connection idle) until released.
  const held: (() => void)[] = [];
  let holding = true;
  const projection = countingProjection({ beforeBatch: () => (holding ? new Promise<void>((resolve) => held.push(resolve)) : undefined) });
  const projector = openProcess(t, url, { poolSize: 3 });
  const runner = new ProjectionRunner(projector.db, projector.store, projection, quiet, 10);
  t.teardown(() => runner.stop());
  runner.start();

  for (let round = 1; round <= 3; round++) {
    await until(() => held.length > 0 || undefined, 30_000);
    await admin.query('SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    // Round trips on another socket: the terminated connections have had their error delivered by now.
    await admin.query('SELECT 1');
    await admin.query('SELECT 1');
    held.splice(0).forEach((release) => release());
    await until(() => runner.status().failures >= 1 || held.length > 0 || undefined, 30_000);
  }
  holding = false;
  held.splice(0).forEach((release) => release());

  await until(async () => (await countingState(writer.db)).applied.length === ids.length || undefined, 60_000);
  const state = await countingState(writer.db);
  t.same(duplicates(state.applied), [], 'nothing applied twice');
  t.same(state.applied, sorted(ids), 'every event applied');
  t.equal(state.counter, ids.length);
  t.equal(runner.status().state, 'running');
});

t.test('read-your-writes with the database unreachable: not visible yet, not an error', async (t) => {
  const url = await freshPostgresUrl(t);
  const setup = connect({ kind: 'postgres', url });
  await migrateToLatest(setup.db);
  await setup.db.destroy();
  const proxy = await startTcpProxy(t, { port: Number(new URL(url).port || 5432) });
  const { db } = connect({ kind: 'postgres', url: proxy.via(url), connectTimeoutMs: 1_000 });
  t.teardown(() => db.destroy());
  proxy.cut();
  // No runner here: the wait follows the checkpoint row, which cannot be read.
  const awaitProjections = createAwaitProjections(db, [], 300);
  t.equal(await awaitProjections({ commit: 1n, prepare: 1n }, ['users']), false);
});
