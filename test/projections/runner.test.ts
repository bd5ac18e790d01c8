import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { advanceCheckpoint, ensureCheckpoint } from '../../src/projections/checkpoints.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { START } from '../../src/store/port.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { countingProjection, countingState, createCountingTables, duplicates } from '../helpers/counting.js';
import { quiet, runnerCases, runnerOf, sorted } from '../helpers/runner-cases.js';
import { recordingLogger } from '../helpers/logs.js';
import { appendCounted, migratedProcess, openProcess, settlesWithin } from '../helpers/store-events.js';
import { eventually } from '../helpers/waiting.js';

const childScript = fileURLToPath(new URL('../helpers/projector-child.js', import.meta.url));

runnerCases(t, 'postgres');

t.test('a projector killed mid-batch resumes from its checkpoint: nothing applied twice, nothing skipped', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db, store } = await migratedProcess(t, url);
  await createCountingTables(db);
  const { ids, head } = await appendCounted(store, { streams: 10, perStream: 30, chunk: 10 });

  const child = spawn(process.execPath, [childScript, url, '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  const inSecondBatch = new Promise<boolean>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('batch 2 ') && resolve(true));
    child.once('exit', () => resolve(false));
  });
  t.ok(await inSecondBatch, 'the child committed one batch and is inside the next');
  // Several of the second batch's 50 ms events are written, uncommitted, when the kill lands.
  await sleep(300);
  child.kill('SIGKILL');
  await once(child, 'exit');
  t.equal(child.signalCode, 'SIGKILL');
  t.equal((await countingState(db)).counter, 20, 'only the first batch survived the crash');

  const runner = new ProjectionRunner(db, store, countingProjection(), quiet, 20);
  t.teardown(() => runner.stop());
  runner.start();
  t.ok(await settlesWithin(runner.waitFor(head), 20_000), 'the restarted projector reached the head');
  const state = await countingState(db);
  t.equal(state.counter, ids.length, 'the counter equals the number of events');
  t.strictSame(duplicates(state.applied), [], 'no event applied twice');
  t.strictSame(state.applied, sorted(ids), 'none skipped');
});

t.test('two runners of one projection in two processes apply every event exactly once', async (t) => {
  const url = await freshPostgresUrl(t);
  const one = await migratedProcess(t, url);
  const two = openProcess(t, url);
  await createCountingTables(one.db);
  const { ids, head } = await appendCounted(one.store, { streams: 10, perStream: 30, chunk: 10 });
  const logs = [recordingLogger(), recordingLogger()];
  const runners = [one, two].map(({ db, store }, i) => runnerOf(t, db, store, countingProjection({ sleepMs: 2 }), logs[i]!.logger, 20));
  for (const runner of runners) runner.start();

  const caughtUp = await Promise.all(runners.map((r) => settlesWithin(r.waitFor(head), 20_000)));
  t.strictSame(caughtUp, [true, true], 'both runners reached the head (the loser of a race follows the checkpoint)');
  const state = await countingState(one.db);
  t.equal(state.counter, ids.length);
  t.strictSame(duplicates(state.applied), [], 'no event applied twice');
  t.strictSame(state.applied, sorted(ids), 'none skipped');
  t.equal(runners[0]!.status().eventsApplied + runners[1]!.status().eventsApplied, ids.length, 'the runners shared the work, no batch counted twice');
  t.ok(logs.some((l) => l.entries.some((e) => /checkpoint moved/.test(e.msg ?? ''))), 'they did collide, and the loser backed off');
});

t.test('a runner that lost a batch to another process still answers waitFor for it', async (t) => {
  const url = await freshPostgresUrl(t);
  const mine = await migratedProcess(t, url);
  const other = openProcess(t, url);
  await createCountingTables(mine.db);
  const { head } = await appendCounted(mine.store, { streams: 2, perStream: 5, chunk: 5 });
  const projection = countingProjection();
  await ensureCheckpoint(mine.db, projection.name);

  // The other process takes the whole log in a transaction it holds open.
  const trx = await other.db.startTransaction().execute();
  t.teardown(() => trx.rollback().execute().catch(() => undefined));
  t.ok(await advanceCheckpoint(trx, projection.name, START, head));
  await projection.apply(trx, await mine.store.readAll({ from: START, limit: 100 }));

  const runner = runnerOf(t, mine.db, mine.store, projection, quiet, 100);
  const reached = runner.waitFor(head);
  runner.start();
  const blocked = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(mine.db)).rows[0]!.n > 0;
  t.ok(await eventually(blocked), 'this runner waits on the checkpoint row');
  await trx.commit().execute();

  t.ok(await settlesWithin(reached, 3000), 'waitFor resolved once the checkpoint passed the target');
  const state = await countingState(mine.db);
  t.equal(state.counter, 10, 'applied once, by the other process');
  t.equal(runner.status().eventsApplied, 0);
});

t.test('stop() does not wait out the retry pause of a failing projection', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db, store } = await migratedProcess(t, url);
  await createCountingTables(db);
  await appendCounted(store, { streams: 1, perStream: 3, chunk: 3 });
  const runner = runnerOf(t, db, store, countingProjection({ failing: () => true }), quiet, 10);
  runner.start();
  // The third failure is followed by a 1.6 s pause (it doubles each time, up to 30 s).
  t.ok(await eventually(() => runner.status().failures >= 3), 'failing repeatedly');
  const started = Date.now();
  t.ok(await settlesWithin(runner.stop(), 800), `stop() returned promptly (${Date.now() - started} ms)`);
  t.equal(runner.status().state, 'stopped');
});
