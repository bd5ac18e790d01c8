import net from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { projections } from '../../src/compose.js';
import { connect } from '../../src/db/connect.js';
import { isTransient } from '../../src/store/outages.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { countingProjection, countingState, createCountingTables } from '../helpers/counting.js';
import { runnerOf, storedEvents, storeOn } from '../helpers/runner-cases.js';
import { recordingLogger } from '../helpers/logs.js';
import { appendCounted, migratedProcess, settlesWithin } from '../helpers/store-events.js';
import { eventually } from '../helpers/waiting.js';

// A database that cannot answer is not a poison event: the runner retries
// the batch from its checkpoint and parks nothing (docs/projections.md).

/** A TCP proxy in front of the test's PostgreSQL that the test cuts and restores: an outage of its own. */
async function proxyTo(url: string) {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
          sockets.add(a);
          a.on('error', () => undefined);
          a.on('close', () => {
            sockets.delete(a);
            b.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      server!.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await open();
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return { url: proxied.toString(), open, cut };
}

t.test('what the database says when it cannot answer is transient; what a statement does wrong is not', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db } = await migratedProcess(t, url);

  const proxy = await proxyTo(url);
  await proxy.cut();
  const refused = await new pg.Client({ connectionString: proxy.url }).connect().then(() => undefined, (e: unknown) => e);
  t.ok(isTransient(refused), `a refused connection (${(refused as { code?: string }).code})`);

  const victim = new pg.Client({ connectionString: url });
  victim.on('error', () => undefined);
  await victim.connect();
  const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const sleeping = victim.query('SELECT pg_sleep(30)').then(() => undefined, (e: unknown) => e);
  await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(db);
  const terminated = await sleeping;
  t.ok(isTransient(terminated), `a connection the server terminated (${(terminated as { code?: string }).code ?? (terminated as Error).message})`);

  const undefinedColumn = await sql`UPDATE events SET no_such_column = 1`.execute(db).then(() => undefined, (e: unknown) => e);
  t.equal((undefinedColumn as { code?: string }).code, '42703');
  t.notOk(isTransient(undefinedColumn), 'an unknown column');
  const notNull = await sql`INSERT INTO projection_checkpoints (name, commit_position, prepare_position) VALUES (NULL, 0, 0)`.execute(db).then(() => undefined, (e: unknown) => e);
  t.equal((notNull as { code?: string }).code, '23502');
  t.notOk(isTransient(notNull), 'a NOT NULL violation');
  t.notOk(isTransient(new TypeError("Cannot read properties of undefined (reading 'name')")), 'a bug in the projection’s code');
});

t.test('the projection’s connection cut: the batch is retried once it is back, and nothing is parked', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db } = await migratedProcess(t, url);
  await createCountingTables(db);
  const proxy = await proxyTo(url);
  // The runner reaches the database through the proxy; the log is read directly.
  const { db: proxied } = connect({ kind: 'postgres', url: proxy.url, poolSize: 2 });
  t.teardown(() => proxied.destroy());
  const store = storeOn(t, db);
  const { logger, entries } = recordingLogger();
  const runner = runnerOf(t, proxied, store, countingProjection(), logger, 10);
  runner.start();
  const first = await appendCounted(store, { streams: 1, perStream: 3, chunk: 3 });
  t.ok(await settlesWithin(runner.waitFor(first.head), 10_000), 'caught up before the outage');

  await proxy.cut();
  const second = await appendCounted(store, { streams: 1, perStream: 3, chunk: 3 });
  t.ok(await eventually(() => runner.status().failures >= 2, 15_000), 'it fails, and fails again on retry');
  t.match(runner.status(), { state: 'failing', parked: 0 });
  t.ok(entries.some((e) => /projection failed/.test(e.msg ?? '')), 'logged as a failure to retry');
  t.notOk(entries.some((e) => /event parked/.test(e.msg ?? '')), 'not as a parked event');

  await proxy.open();
  t.ok(await settlesWithin(runner.waitFor(second.head), 20_000), 'it resumes once the database is back');
  t.equal((await countingState(db)).counter, 6, 'every event applied once');
  t.match(runner.status(), { state: 'running', parked: 0, failures: 0 });
  t.same(await db.selectFrom('projection_parked_events').selectAll().execute(), [], 'nothing parked');
  await proxy.cut();
});

t.test('a projection that does not park (a reactor, whose failures are its queue’s) retries even its own failure', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db } = await migratedProcess(t, url);
  await createCountingTables(db);
  const store = storeOn(t, db);
  const { ids, head } = await appendCounted(store, { streams: 1, perStream: 4, chunk: 4 });
  const bad = (await storedEvents(store, ids))[2]!;
  let broken = true;
  const runner = runnerOf(t, db, store, countingProjection({ parkUnappliable: false, poisoned: (e) => broken && e.id === bad.id }), recordingLogger().logger, 10);
  runner.start();
  t.ok(await eventually(() => runner.status().failures >= 2), 'it fails, and fails again on retry');
  t.match(runner.status(), { state: 'failing', parked: 0 });
  broken = false;
  t.ok(await settlesWithin(runner.waitFor(head), 10_000), 'it applies the event once it can');
  t.equal((await countingState(db)).counter, 4);
  t.same(await db.selectFrom('projection_parked_events').selectAll().execute(), [], 'nothing parked');
});

t.test('every read model parks what it cannot apply', async (t) => {
  for (const projection of projections) t.equal(projection.parkUnappliable, true, projection.name);
});
