import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { connect } from '../../src/db/connect.js';
import { isOutage } from '../../src/store/outages.js';
import { adminUrl, freshPostgresUrl } from '../helpers/databases.js';

// PostgreSQL restarting (or an administrator) terminates every backend with
// 57P01 "terminating connection due to administrator command". A connection
// checked out of the pool at that moment (a projector between two statements
// of its transaction) must not take the process down with it.

t.test('a checked-out connection terminated by the server fails its query, not the process; the pool carries on', async (t) => {
  const { db } = connect({ kind: 'postgres', url: await freshPostgresUrl(t), poolSize: 2 });
  t.teardown(() => db.destroy());
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  t.teardown(() => admin.end());

  const failure = await db.connection().execute(async (conn) => {
    const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(conn);
    // Waits until the backend has exited, so its FATAL message is already on the wire to us.
    await admin.query('SELECT pg_terminate_backend($1, 10000)', [rows[0]!.pid]);
    // Two more round trips on another socket: the loop reads the terminated
    // socket (ready first) no later than these replies, so the error has been
    // emitted on the idle, checked-out client by now. Without a listener there
    // the process would have died with an uncaught 'error'.
    await admin.query('SELECT 1');
    await admin.query('SELECT 1');
    return sql`SELECT 1`.execute(conn).then(() => undefined, (error: unknown) => error);
  });
  t.ok(failure, 'the query on the terminated connection fails');
  t.ok(isOutage(failure), 'and is recognised as an outage (a 503, a retry), not a bug', { failure: String(failure) });

  const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(db);
  t.same(rows, [{ ok: 1 }], 'the pool dropped the broken client and serves from a new connection');
});

t.test('what counts as an outage', async (t) => {
  const pgError = (code: string) => Object.assign(new Error('x'), { code });
  for (const code of ['57P01', '57P02', '57P03', '53300', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']) t.ok(isOutage(pgError(code)), code);
  t.ok(isOutage(new Error('Connection terminated unexpectedly')));
  t.ok(isOutage(new Error('timeout exceeded when trying to connect')));
  t.ok(isOutage(new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')])), 'a refused localhost (one error per address)');
  t.ok(isOutage(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { type: 'unavailable' })), 'EventStoreDB unavailable');
  t.ok(isOutage(new Error('Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.')), 'ioredis gave up');
  t.ok(isOutage(new Error('wrapped', { cause: pgError('57P01') })), 'through a cause');
  for (const code of ['23505', '40001', '22P02', '42P01']) t.notOk(isOutage(pgError(code)), `${code} is a bug or a conflict, not an outage`);
  t.notOk(isOutage(new Error('boom')));
  t.notOk(isOutage(undefined));
});
