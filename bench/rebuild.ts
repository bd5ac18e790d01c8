// Projection rebuild throughput: N synthetic ClientRegistered events written
// straight into a fresh database's log, then `cli projections rebuild client-accounts`.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { CLI_JS, runToEnd } from './children.js';

export interface RebuildResult {
  readonly events: number;
  /** Seconds of the rebuild itself, as the command line reports it. */
  readonly seconds: number;
  readonly eventsPerS: number;
  /** Seconds of the whole command (node start, migration check, rebuild). */
  readonly wallSeconds: number;
  readonly insertSeconds: number;
  readonly finished: boolean;
  readonly rowsProjected: number;
}

/**
 * Valid events as the service writes them today (ClientRegistered schema
 * version 2, src/events/clients/client.ts; older versions are upcast on read): one
 * `client-{uuid}` stream each, version 0, with its streams row; written in
 * chunks so the log holds many transactions, as a real one does.
 */
async function writeEvents(databaseUrl: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const chunk = 100_000;
    for (let first = 1; first <= count; first += chunk) {
      const last = Math.min(count, first + chunk - 1);
      await client.query(
        `WITH s AS MATERIALIZED (SELECT g, gen_random_uuid() AS cid FROM generate_series($1::int, $2::int) AS g),
         st AS (INSERT INTO streams (stream_id, version) SELECT 'client-' || cid, 0 FROM s)
         INSERT INTO events (event_id, stream_id, version, type, data, metadata, created_at)
         SELECT gen_random_uuid(), 'client-' || cid, 0, 'ClientRegistered',
           jsonb_build_object(
             'schemaVersion', 2,
             'clientId', cid,
             'phone', '+7900' || lpad(g::text, 7, '0'),
             'profile', jsonb_build_object('firstName', 'Bench', 'lastName', 'Client ' || g, 'patronymic', '', 'email', NULL,
                                           'birthday', NULL, 'sex', NULL, 'address', '', 'additionalInfo', '',
                                           'links', '{}'::jsonb),
             'passwordSet', false,
             'registeredAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
           jsonb_build_object('actor', jsonb_build_object('kind', 'anonymous'), 'correlationId', 'bench-' || g,
                              'causationId', 'bench-' || g, 'requestId', 'bench-' || g),
           now()
         FROM s ORDER BY g`,
        [first, last],
      );
    }
    await client.query('ANALYZE events');
  } finally {
    await client.end();
  }
}

export async function measureRebuild(
  databaseUrl: string,
  count: number,
  timeoutMs: number,
  log: (line: string) => void,
  nodeArgs: readonly string[] = [],
): Promise<RebuildResult> {
  const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
  const migrated = await runToEnd(process.execPath, [CLI_JS, 'migrate'], { env, timeoutMs: 60_000 });
  if (migrated.code !== 0) throw new Error(`cli migrate failed (${migrated.code}): ${migrated.stderr}`);

  const insertStarted = performance.now();
  await writeEvents(databaseUrl, count);
  const insertSeconds = (performance.now() - insertStarted) / 1000;
  log(`  ${count} events written in ${insertSeconds.toFixed(1)} s; rebuilding`);

  let lastProgress: { events: number; rate: number } | undefined;
  const started = performance.now();
  const run = await runToEnd(process.execPath, [...nodeArgs, CLI_JS, 'projections', 'rebuild', 'client-accounts'], {
    env,
    timeoutMs,
    onLine: (line) => {
      const progress = /^client-accounts: (\d+) events read, .*?, (\d+) events\/s/.exec(line);
      if (progress) lastProgress = { events: Number(progress[1]), rate: Number(progress[2]) };
    },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const done = /client-accounts rebuilt from (\d+) events in ([\d.]+) s/.exec(run.stdout);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const projected = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM client_accounts').finally(() => client.end());
  const rowsProjected = Number(projected.rows[0]?.n ?? 0);

  if (run.code === 0 && done) {
    const seconds = Number(done[2]);
    const events = Number(done[1]);
    return { events, seconds, eventsPerS: Math.round(events / seconds), wallSeconds, insertSeconds, finished: true, rowsProjected };
  }
  if (run.timedOut && lastProgress) {
    // Did not finish in the time allowed: the rate so far, and it says so.
    return { events: lastProgress.events, seconds: wallSeconds, eventsPerS: lastProgress.rate, wallSeconds, insertSeconds, finished: false, rowsProjected };
  }
  throw new Error(`cli projections rebuild failed (code ${run.code}${run.timedOut ? ', timed out' : ''}): ${run.stderr || run.stdout}`);
}
