import t, { type Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createCommandHandler } from '../../src/commands/handler.js';
import type { Database } from '../../src/db/database.js';
import { readCheckpoint } from '../../src/projections/checkpoints.js';
import { clientAccountsProjection } from '../../src/projections/clients/client-accounts.js';
import { rebuildProjection, type RebuildProgress } from '../../src/projections/rebuild.js';
import { ProjectionRunner, type Logger } from '../../src/projections/runner.js';
import { comparePositions, parsePosition, START } from '../../src/store/port.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { registerMany } from '../helpers/client-book.js';
import { countingProjection, countingState, createCountingTables, duplicates } from '../helpers/counting.js';
import { runCli } from '../helpers/cli.js';
import { recordingLogger } from '../helpers/logs.js';
import { appendCounted, migratedProcess, openProcess, settlesWithin, visible } from '../helpers/store-events.js';
import { eventually } from '../helpers/waiting.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const clientRows = (db: Kysely<Database>) => db.selectFrom('client_accounts').selectAll().orderBy('id').execute();

// Stale, missing and extra rows: a rebuild that did not empty the table first would keep some.
async function damage(db: Kysely<Database>): Promise<void> {
  const [first, second] = await clientRows(db);
  await db.updateTable('client_accounts').set({ first_name: 'tampered', confirmed_phone: !first!.confirmed_phone }).where('id', '=', first!.id).execute();
  await db.deleteFrom('client_accounts').where('id', '=', second!.id).execute();
  await db.insertInto('client_accounts').values({ ...first!, links: JSON.stringify(first!.links), id: '00000000-0000-4000-8000-000000000000', phone: '+70000000000' }).execute();
}

t.test('rebuilding the client accounts read model from the log gives back the same rows', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db, store } = await migratedProcess(t, url);
  const head = await visible(store, (await registerMany({ handle: createCommandHandler(store), db, store }, 12)).last);
  const runner = new ProjectionRunner(db, store, clientAccountsProjection, quiet);
  t.teardown(() => runner.stop());
  runner.start();
  t.ok(await settlesWithin(runner.waitFor(head), 10_000), 'the projector caught up');
  await runner.stop();
  const snapshot = await clientRows(db);
  t.equal(snapshot.length, 12);
  t.equal(snapshot.filter((row) => row.confirmed_phone).length, 6, 'half of them verified their phone');

  t.test('rebuildProjection', async (t) => {
    await damage(db);
    const progress: RebuildProgress[] = [];
    const total = (await store.readAll({ from: START, limit: 10_000 })).length;
    const events = await rebuildProjection(db, store, clientAccountsProjection, { batchSize: 5, onProgress: (p) => progress.push(p) });
    t.strictSame(await clientRows(db), snapshot, 'the same rows');
    t.equal(events, total, 'it read the whole log');
    t.strictSame(await readCheckpoint(db, 'client-accounts'), head, 'the checkpoint is at the head');
    t.equal(progress.at(-1)?.done, true, 'the last progress report says done');
    t.ok(progress.length > 2, 'progress was reported batch by batch');
    const positions = progress.map((p) => parsePosition(p.position)!);
    t.ok(positions.every((p, i) => i === 0 || comparePositions(positions[i - 1]!, p) <= 0), 'progress moves forwards');
  });

  t.test('cli projections rebuild client-accounts', async (t) => {
    await damage(db);
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-rebuild-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    const { code, stdout, stderr } = await runCli(t, ['projections', 'rebuild', 'client-accounts'], { DATABASE_URL: url, DATA_DIR: dataDir });
    t.equal(code, 0, `exit code 0 ${stderr}`);
    t.match(stderr, /^rebuild client-accounts: \d+ of \d+ events \(100%\), \d+ events\/s, done in \d+ s$/m, 'progress on stderr, as plain lines off a terminal (test/cli/progress.test.ts)');
    t.match(stdout, /^client-accounts rebuilt from \d+ events in [\d.]+ s, 0 parked$/m, 'and the result on stdout');
    t.strictSame(await clientRows(db), snapshot, 'the same rows');
  });

  t.test('cli rejects an unknown projection without touching anything', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cli-rebuild-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    const { code, stderr } = await runCli(t, ['projections', 'rebuild', 'nope'], { DATABASE_URL: url, DATA_DIR: dataDir });
    t.equal(code, 64);
    t.match(stderr, /Unknown projection/);
    t.strictSame(await clientRows(db), snapshot);
  });
});

t.test('a rebuild while a runner follows the log converges, every event applied once', async (t) => {
  const url = await freshPostgresUrl(t);
  const service = await migratedProcess(t, url);
  const operator = openProcess(t, url);
  await createCountingTables(service.db);
  const first = await appendCounted(service.store, { streams: 8, perStream: 50, chunk: 10 });
  const projection = countingProjection({ sleepMs: 2 });
  const { logger, entries } = recordingLogger();
  const runner = new ProjectionRunner(service.db, service.store, projection, logger, 10);
  t.teardown(() => runner.stop());
  runner.start();
  t.ok(await eventually(() => runner.status().eventsApplied >= 50), 'the runner is under way');

  // The operator rebuilds from another process while the service keeps appending and projecting.
  const rebuilt = rebuildProjection(operator.db, operator.store, projection, { batchSize: 25 });
  const second = await appendCounted(service.store, { streams: 2, perStream: 20, chunk: 5 });
  t.ok(await settlesWithin(rebuilt, 20_000), 'the rebuild finished');
  t.notOk(await rebuilt.then(() => undefined, (e: unknown) => e), 'without error');
  t.ok(await settlesWithin(runner.waitFor(second.head), 20_000), 'the runner reached the head');
  t.equal(runner.status().state, 'running');
  t.ok(entries.some((e) => /checkpoint moved/.test(e.msg ?? '')), 'the runner saw the rebuild move its checkpoint');

  const ids = [...first.ids, ...second.ids].sort();
  const state = await countingState(service.db);
  t.strictSame(duplicates(state.applied), [], 'no event applied twice');
  t.strictSame(state.applied, ids, 'none missing');
  t.equal(state.counter, ids.length, 'the counter agrees');
});

t.test('the client accounts read model rebuilt under a running projector keeps its rows', async (t) => {
  const url = await freshPostgresUrl(t);
  const service = await migratedProcess(t, url);
  const operator = openProcess(t, url);
  const deps = { handle: createCommandHandler(service.store), db: service.db, store: service.store };
  const { last } = await registerMany(deps, 10);
  const runner = new ProjectionRunner(service.db, service.store, clientAccountsProjection, quiet, 3);
  t.teardown(() => runner.stop());
  runner.start();
  t.ok(await settlesWithin(runner.waitFor(last), 10_000));
  const before = await clientRows(service.db);

  const [, more] = await Promise.all([rebuildProjection(operator.db, operator.store, clientAccountsProjection, { batchSize: 4 }), registerMany(deps, 5)]);
  t.ok(await settlesWithin(runner.waitFor(more.last), 10_000), 'the runner reached the head');
  const after = await clientRows(service.db);
  t.strictSame(after.map((row) => row.id).sort(), [...before.map((row) => row.id), ...more.ids].sort(), 'every client, once');
  t.strictSame(after.filter((row) => !more.ids.includes(row.id)), before, 'the rows from before, unchanged');
});
