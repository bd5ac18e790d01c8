// npm run bench [-- --quick] [-- --out FILE] [-- --profile] [-- --only a,b]
//
// Starts the service in deps mode (PostgreSQL + Redis, every role in one
// process) as a child process, loads it over real HTTP from this process with
// autocannon, measures this machine's ceilings in the same run (raw
// PostgreSQL inserts, bare Fastify), and prints a table, also saved as JSON.
// See bench/README.md for the method behind each figure.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { RequestSpec } from 'autocannon';
import { ARGON2_DESCRIPTION } from '../src/auth/passwords.js';
import { argon2HashesPerSecond, rawInsertTxPerSecond } from './ceilings.js';
import { memoryOf, startBareFastify, startService, type Child } from './children.js';
import { cpuMeter, formatCpu } from './cpu.js';
import { FIGURE_KEYS, type Figure, type Figures } from './figures.js';
import { startLagProbe, type LagResult } from './lag.js';
import { runLoad, warmUp, type LoadOptions, type LoadSummary } from './load.js';
import { formatSummary, summarizeProfile } from './profile.js';
import { measureRebuild, type RebuildResult } from './rebuild.js';
import { notes, textTable, updateReadme } from './report.js';
import { bookingsFor, setupSchedule, slotsFor, type Schedule } from './scheduling.js';
import { benchPhone, clients as setupClients, PASSWORD, staffUsers, type Account } from './setup.js';

const SCENARIOS = ['raw_pg', 'bare', 'argon2', 'get_client', 'commands', 'lag', 'booking', 'slots', 'register', 'rebuild'] as const;
type Scenario = (typeof SCENARIOS)[number];

const BENCH_DIR = fileURLToPath(new URL('../../bench', import.meta.url));
const DEFAULT_OUT = join(BENCH_DIR, 'results.json');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'count-queries': { type: 'boolean', default: false },
    'wait-quiet': { type: 'string' },
    only: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    'rebuild-events': { type: 'string' },
    'lag-rate': { type: 'string' },
    'log-level': { type: 'string' },
  },
  strict: true,
});

const quick = args.quick ?? false;
const settings = {
  mode: quick ? 'quick' : 'full',
  connections: Number(args.connections ?? (quick ? 8 : 16)),
  durationS: Number(args.duration ?? (quick ? 1.5 : 10)),
  warmUpS: quick ? 0.5 : 2,
  staffUsers: quick ? 16 : 128,
  rebuildEvents: Number(args['rebuild-events'] ?? (quick ? 20_000 : 1_000_000)),
  rebuildTimeoutMs: quick ? 60_000 : 360_000,
  lagRate: Number(args['lag-rate'] ?? (quick ? 200 : 1000)),
  argon2Seconds: quick ? 1 : 3,
  // The service's own default, so the cost of its request logs is in the figures.
  logLevel: args['log-level'] ?? 'info',
};
const only = new Set<Scenario>(args.only ? (args.only.split(',').map((s) => s.trim()) as Scenario[]) : SCENARIOS);
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`--only: unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
const outPath = args.out ?? (quick ? join(tmpdir(), `bench-quick-${process.pid}.json`) : DEFAULT_OUT);

const log = (line: string) => process.stdout.write(`${line}\n`);
const runId = randomBytes(5).toString('hex');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisPrefix = `bench-${runId}`;

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>, url = adminUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropRedisKeys(): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    for (let turn = 0; turn < 100_000; turn++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/** Peak resident memory of a child, per phase and over its life (VmHWM). */
class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private phase = 'start';
  readonly byPhase: Record<string, number> = {};
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => void this.sample(), 200);
  }
  async sample(): Promise<number | undefined> {
    const memory = await memoryOf(this.pid);
    if (!memory) return undefined;
    this.byPhase[this.phase] = Math.max(this.byPhase[this.phase] ?? 0, Number(memory.rssMb.toFixed(1)));
    return memory.peakMb;
  }
  enter(phase: string): void {
    void this.sample();
    this.phase = phase;
  }
  async stop(): Promise<number | undefined> {
    clearInterval(this.timer);
    const peak = await this.sample();
    return peak === undefined ? undefined : Number(Math.max(peak, ...Object.values(this.byPhase)).toFixed(1));
  }
}

const json = { 'content-type': 'application/json' };
const COUNT_QUERIES_JS = fileURLToPath(new URL('./count-queries.js', import.meta.url));

function na(label: string, unit: string, target: string, note: string, ceiling?: Figure['ceiling']): Figure {
  return { label, unit, value: 'n/a', target, pass: null, note, ...(ceiling ? { ceiling } : {}) };
}

const ratioOf = (value: number | undefined, ceiling: number | undefined) =>
  value !== undefined && ceiling ? Number((value / ceiling).toFixed(3)) : undefined;

async function main(): Promise<number> {
  const started = Date.now();
  log(`bench ${settings.mode}: ${settings.connections} connections, ${settings.durationS} s per load scenario, run ${runId}`);
  const dbName = `bench_${runId}`;
  const rebuildDbName = `bench_${runId}_rebuild`;
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-data-'));
  const queryCountsFile = args['count-queries'] ? join(dataDir, 'query-counts.json') : undefined;
  const cores = cpus().length;
  const cpuByScenario: Record<string, unknown> = {};
  const queriesByScenario: Record<string, unknown> = {};

  const queryCounts = async (): Promise<Record<string, number> | undefined> => {
    if (!queryCountsFile) return undefined;
    await sleep(300); // the service writes its counts every 200 ms
    return JSON.parse(await readFile(queryCountsFile, 'utf8').catch(() => '{}')) as Record<string, number>;
  };

  /** Runs one measured scenario and records who used the CPU (and, with --count-queries, the SQL sent per request). */
  async function measured<T>(name: string, pid: number | undefined, work: () => Promise<T>, requestsOf?: (result: T) => number): Promise<T> {
    const before = await queryCounts();
    const stop = await cpuMeter(pid, cores);
    const result = await work();
    const cpu = await stop();
    cpuByScenario[name] = cpu;
    log(`  ${formatCpu(cpu)}`);
    const after = await queryCounts();
    if (before && after && requestsOf) {
      const requests = Math.max(1, requestsOf(result));
      const kinds = Object.entries(after)
        .map(([kind, n]) => [kind, n - (before[kind] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1]);
      const total = kinds.reduce((a, [, n]) => a + n, 0);
      const perRequest = Object.fromEntries(kinds.map(([kind, n]) => [kind, Number((n / requests).toFixed(2))]));
      queriesByScenario[name] = { total, perRequest: Number((total / requests).toFixed(2)), byKind: perRequest };
      log(`  SQL statements per request: ${(total / requests).toFixed(1)} (${kinds.slice(0, 8).map(([k, n]) => `${k} ${(n / requests).toFixed(2)}`).join(', ')})`);
    }
    return result;
  }
  const served = (load: LoadSummary) => load.ok + load.non2xx;
  const profileDir = args.profile ? await mkdtemp(join(tmpdir(), 'bench-profile-')) : undefined;

  // Other work on the machine skews every figure: measure it, and optionally wait for quiet.
  const background = async () => {
    const stop = await cpuMeter(undefined, cores);
    await sleep(2000);
    return (await stop()).other;
  };
  let backgroundCpu = await background();
  const waitQuietS = Number(args['wait-quiet'] ?? 0);
  for (const deadline = Date.now() + waitQuietS * 1000; backgroundCpu > 15 && Date.now() < deadline; ) {
    log(`the machine is busy with other work (${backgroundCpu}% of a core); waiting for it to calm down`);
    await sleep(10_000);
    backgroundCpu = await background();
  }
  log(`background CPU before the run: ${backgroundCpu}% of one core`);

  const machine = await admin(async (client) => {
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
    await client.query(`CREATE DATABASE ${dbName}`);
    if (only.has('rebuild')) await client.query(`CREATE DATABASE ${rebuildDbName}`);
    return {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Number((totalmem() / 2 ** 30).toFixed(1)),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      postgres: version,
      backgroundCpuPercent: backgroundCpu,
    };
  });

  const details: Record<string, unknown> = {};
  let raw: Awaited<ReturnType<typeof rawInsertTxPerSecond>> | undefined;
  let bareGet: LoadSummary | undefined;
  let barePost: LoadSummary | undefined;
  let argon2: Awaited<ReturnType<typeof argon2HashesPerSecond>> | undefined;
  let getClient: LoadSummary | undefined;
  let getClientRoute = 'GET /api/v1/clients/me';
  let commands: LoadSummary | undefined;
  let lagLoad: LoadSummary | undefined;
  let lag: LagResult | undefined;
  let lagConnections: number | undefined;
  let lagSustainable: { load: LoadSummary; lag: LagResult; connections: number; rate: number } | undefined;
  let register: LoadSummary | undefined;
  let booking: LoadSummary | undefined;
  let slots: LoadSummary | undefined;
  let schedule: Schedule | undefined;
  let schedulingUnavailable: string | undefined;
  let rebuild: RebuildResult | undefined;
  let peakRss: number | undefined;
  let service: Child | undefined;
  let bare: Child | undefined;
  const C = settings.connections;
  const patchBody = (n: number) => JSON.stringify({ first_name: `First ${n}` });

  try {
    // ---- ceilings, with nothing else running ----
    if (only.has('raw_pg')) {
      log('ceiling: raw PostgreSQL single-row insert transactions');
      raw = await measured('raw_pg', undefined, () => rawInsertTxPerSecond(databaseUrl(dbName), C, settings.durationS));
      log(`  ${raw.txPerS} tx/s`);
    }
    if (only.has('bare')) {
      log('ceiling: bare Fastify GET /hello and POST /echo');
      bare = await startBareFastify();
      const get: LoadOptions = { title: 'bare GET /hello', url: `${bare.url}/hello`, connections: C, durationS: settings.durationS };
      await warmUp(get, settings.warmUpS);
      bareGet = await measured('bare_get', bare.process.pid, () => runLoad(get));
      const post: LoadOptions = { title: 'bare POST /echo', url: `${bare.url}/echo`, connections: C, durationS: settings.durationS, method: 'POST', headers: json, body: patchBody(1) };
      await warmUp(post, settings.warmUpS);
      barePost = await measured('bare_post', bare.process.pid, () => runLoad(post));
      await bare.stop();
      bare = undefined;
      log(`  GET ${bareGet.rps} req/s (p99 ${bareGet.latencyMs.p99} ms), POST ${barePost.rps} req/s`);
    }
    if (only.has('argon2')) {
      log(`ceiling: argon2id hashes (${ARGON2_DESCRIPTION}), 4 at a time as libuv's default pool runs them`);
      argon2 = await measured('argon2', undefined, () => argon2HashesPerSecond(4, settings.argon2Seconds));
      log(`  ${argon2.hashesPerS} hashes/s, ${argon2.msPerHash} ms for one`);
    }

    // ---- the service ----
    const needsService = (['get_client', 'commands', 'lag', 'booking', 'slots', 'register'] as const).some((s) => only.has(s));
    if (needsService) {
      log('starting the service (PostgreSQL + Redis, all roles) as a child process');
      service = await startService({
        env: {
          ROLE: 'all',
          DATABASE_URL: databaseUrl(dbName),
          REDIS_URL: redisUrl,
          REDIS_PREFIX: redisPrefix,
          EVENTSTORE_URL: '',
          JWT_PRIVATE_JWK: '',
          SMS_PROVIDER: 'console',
          EMAIL_PROVIDER: 'console',
          LOG_LEVEL: settings.logLevel,
          DATA_DIR: dataDir,
          CODE_SECRET: randomBytes(32).toString('hex'),
          RATE_LIMIT_CODE_REQUESTS_PER_IP: '1000000',
          RATE_LIMIT_GUESSES_PER_IP: '1000000',
          ACCESS_TOKEN_TTL_SECONDS: '3600',
          ...(queryCountsFile ? { BENCH_QUERY_COUNTS: queryCountsFile } : {}),
        },
        nodeArgs: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(queryCountsFile ? ['--import', COUNT_QUERIES_JS] : [])],
      });
      const rss = new RssSampler(service.process.pid!);
      const base = service.url;
      await sleep(1000);
      details.idleRssMb = (await memoryOf(service.process.pid!))?.rssMb.toFixed(1);
      log(`  RSS at rest after start: ${String(details.idleRssMb)} MB`);

      rss.enter('setup');
      log(`setup over HTTP: ${settings.staffUsers} staff users and ${C} clients, each with a token`);
      const scheduling = only.has('booking') || only.has('slots');
      const staff = only.has('commands') || only.has('lag') ? await staffUsers(base, runId, settings.staffUsers) : scheduling ? await staffUsers(base, runId, 1) : [];
      const people = only.has('get_client') || scheduling ? await setupClients(base, 1, C, (phone) => service!.smsCode(phone)) : [];

      if (only.has('get_client')) {
        rss.enter('get_client');
        // GET /clients/{id} where the service has it, else the client's own profile at /clients/me.
        const first = people[0]!;
        const byId = await fetch(`${base}/api/v1/clients/${first.id}`, { headers: { authorization: `Bearer ${first.token}` } });
        await byId.arrayBuffer();
        getClientRoute = byId.status === 200 ? 'GET /api/v1/clients/{id}' : 'GET /api/v1/clients/me';
        const pathOf = (account: Account) => (byId.status === 200 ? `/api/v1/clients/${account.id}` : '/api/v1/clients/me');
        log(`${getClientRoute} (one client, read with its own token)`);
        const get: LoadOptions = {
          title: getClientRoute,
          url: base,
          connections: C,
          durationS: settings.durationS,
          requestsFor: (i) => {
            const account = people[i % people.length]!;
            return [{ method: 'GET', path: pathOf(account), headers: { authorization: `Bearer ${account.token}` } }];
          },
        };
        await warmUp(get, settings.warmUpS);
        getClient = await measured('get_client', service.process.pid, () => runLoad(get), served);
        log(`  ${getClient.rps} req/s, p50 ${getClient.latencyMs.p50} ms, p99 ${getClient.latencyMs.p99} ms, non-2xx ${getClient.non2xx}`);
      }

      // Connection i sends as its own users (i, i+C, i+2C...), one at a time: every
      // command goes to a user stream no other in-flight command touches.
      let seq = 0;
      const patchesFor = (connections: number) => (i: number): RequestSpec[] => {
        const mine: Account[] = staff.filter((_, k) => k % connections === i);
        let n = 0;
        return [{
          method: 'PATCH',
          path: '/api/v1/users/me',
          headers: json,
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, authorization: `Bearer ${mine[n++ % mine.length]!.token}` },
            body: patchBody(seq++),
          }),
        }];
      };

      if (only.has('commands')) {
        rss.enter('commands');
        log('commands: PATCH /api/v1/users/me (one event on the user stream, answered after read-your-writes)');
        const patch: LoadOptions = { title: 'PATCH /api/v1/users/me', url: base, connections: C, durationS: settings.durationS, requestsFor: patchesFor(C) };
        await warmUp(patch, settings.warmUpS);
        commands = await measured('commands', service.process.pid, () => runLoad(patch), served);
        log(`  ${commands.rps} commands/s, p50 ${commands.latencyMs.p50} ms, p99 ${commands.latencyMs.p99} ms, non-2xx ${commands.non2xx}`);
      }

      if (only.has('lag')) {
        rss.enter('lag');
        // autocannon paces per connection in one-second windows; few enough connections
        // that each is busy most of the second keeps the offered load close to steady.
        const lagAt = async (rate: number, name: string) => {
          // Enough connections for the rate at the latency measured under full load, split over
          // staggered instances (one per 100 ms slot, at most 10) so arrivals spread over each second.
          const stagger = Math.max(1, Math.min(10, Math.floor(rate / 20)));
          const needed = commands ? Math.ceil((rate * C) / (0.8 * commands.rps)) : C;
          const connections = Math.max(stagger, Math.ceil(Math.min(Math.max(needed, 2), 4 * C) / stagger) * stagger);
          log(`projection lag: ${rate} commands/s offered on ${connections} connections in ${stagger} staggered autocannon instances, users checkpoint polled`);
          const probe = await startLagProbe(databaseUrl(dbName), 'users');
          let load: LoadSummary | undefined;
          let result: LagResult;
          try {
            const paced: LoadOptions = {
              title: `PATCH /api/v1/users/me at ${rate}/s`,
              url: base,
              connections,
              durationS: settings.durationS,
              overallRate: rate,
              stagger,
              requestsFor: patchesFor(connections),
            };
            load = await measured(name, service!.process.pid, () => runLoad(paced), served);
          } finally {
            result = await probe.stop(3000);
          }
          log(`  achieved ${load.rps} commands/s; lag p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms over ${result.events} events (poll every ${result.pollMs} ms)`);
          return { load, lag: result, connections, rate };
        };
        const target = await lagAt(settings.lagRate, 'lag');
        ({ load: lagLoad, lag, connections: lagConnections } = target);
        // The target rate was beyond the service: the lag below saturation says whether the projector itself keeps up.
        if (commands && target.load.rps < 0.95 * settings.lagRate) {
          lagSustainable = await lagAt(Math.max(10, Math.floor(0.7 * commands.rps)), 'lag_sustainable');
        }
      }

      if (scheduling) {
        // Booking and free slots exist only where the service has them: a setup that fails says why, as n/a.
        try {
          schedule = await setupSchedule(base, staff[0]!, 4);
        } catch (error) {
          schedulingUnavailable = error instanceof Error ? error.message : String(error);
          log(`  booking and slots not measured: ${schedulingUnavailable}`);
        }
      }

      if (only.has('booking') && schedule) {
        rss.enter('booking');
        log('booking: POST /api/v1/organizations/{org}/appointments, clients booking themselves, one organization-day stream per connection');
        const book: LoadOptions = { title: 'POST /api/v1/organizations/{org}/appointments', url: base, connections: C, durationS: settings.durationS, requestsFor: bookingsFor(schedule, people, C) };
        // One generator for the warm-up and the run: a slot booked in the warm-up is not booked again.
        await warmUp(book, settings.warmUpS);
        booking = await measured('booking', service.process.pid, () => runLoad(book), served);
        log(`  ${booking.rps} bookings/s, p50 ${booking.latencyMs.p50} ms, p99 ${booking.latencyMs.p99} ms, non-2xx ${booking.non2xx} ${JSON.stringify(booking.statusCodes)}`);
      }

      if (only.has('slots') && schedule) {
        rss.enter('slots');
        log('free slots: GET /api/v1/specialists/{id}/slots for the coming week (public), 30-minute slots');
        const get: LoadOptions = { title: 'GET /api/v1/specialists/{id}/slots', url: base, connections: C, durationS: settings.durationS, requestsFor: slotsFor(schedule) };
        await warmUp(get, settings.warmUpS);
        slots = await measured('slots', service.process.pid, () => runLoad(get), served);
        log(`  ${slots.rps} req/s, p50 ${slots.latencyMs.p50} ms, p99 ${slots.latencyMs.p99} ms, non-2xx ${slots.non2xx}`);
      }

      if (only.has('commands') || only.has('lag')) {
        details.userStreams = await admin(async (client) => {
          const { rows } = await client.query<{ streams: string; max: number; avg: string }>(
            `SELECT count(*)::text AS streams, max(version) + 1 AS max, round(avg(version) + 1, 1)::text AS avg FROM streams WHERE stream_id LIKE 'user-%'`,
          );
          return { streams: Number(rows[0]?.streams), maxEvents: rows[0]?.max, meanEvents: Number(rows[0]?.avg) };
        }, databaseUrl(dbName));
      }

      if (only.has('register')) {
        rss.enter('register');
        log(`registrations: POST /api/v1/auth/register with a password (${ARGON2_DESCRIPTION})`);
        let phone = 1_000_000;
        const reg: LoadOptions = {
          title: 'POST /api/v1/auth/register',
          url: base,
          connections: C,
          durationS: settings.durationS,
          requestsFor: () => [{
            method: 'POST',
            path: '/api/v1/auth/register',
            headers: json,
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ phone: benchPhone(phone++), password: PASSWORD, first_name: 'Registered' }) }),
          }],
        };
        await warmUp(reg, settings.warmUpS);
        register = await measured('register', service.process.pid, () => runLoad(reg), served);
        log(`  ${register.rps} registrations/s, p50 ${register.latencyMs.p50} ms, non-2xx ${register.non2xx}`);
      }

      rss.enter('end');
      peakRss = await rss.stop();
      details.rssByPhaseMb = rss.byPhase;
      const code = await service.stop();
      if (code !== 0) log(`  the service exited with code ${code}:\n${service.output()}`);
      service = undefined;
      log(`service stopped; peak RSS ${peakRss} MB`);
    }

    if (only.has('rebuild')) {
      log(`projection rebuild: ${settings.rebuildEvents} ClientRegistered events, cli projections rebuild client-accounts`);
      const rebuildProfileDir = profileDir ? join(profileDir, 'rebuild') : undefined;
      rebuild = await measured('rebuild', undefined, () =>
        measureRebuild(databaseUrl(rebuildDbName), settings.rebuildEvents, settings.rebuildTimeoutMs, log, rebuildProfileDir ? ['--cpu-prof', '--cpu-prof-dir', rebuildProfileDir] : []),
      );
      log(`  ${rebuild.eventsPerS} events/s (${rebuild.events} events in ${rebuild.seconds} s${rebuild.finished ? '' : ', NOT finished'})`);
    }
  } finally {
    await bare?.stop().catch(() => undefined);
    if (service) {
      log(`service output:\n${service.output()}`);
      await service.stop().catch(() => undefined);
    }
    await admin(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await client.query(`DROP DATABASE IF EXISTS ${rebuildDbName} WITH (FORCE)`);
    }).catch((error: unknown) => log(`could not drop the bench databases: ${String(error)}`));
    await dropRedisKeys().catch((error: unknown) => log(`could not clean Redis keys ${redisPrefix}*: ${String(error)}`));
    await rm(dataDir, { recursive: true, force: true });
  }

  // ---- figures ----
  const num = (v: number | undefined): number | 'n/a' => (v === undefined || !Number.isFinite(v) ? 'n/a' : v);
  const skipped = 'not run (--only)';
  const failures = (load: LoadSummary | undefined) =>
    load && (load.non2xx > 0 || load.errors > 0) ? ` ${load.non2xx} non-2xx and ${load.errors} errors (${JSON.stringify(load.statusCodes)}).` : '';
  const clean = (load: LoadSummary | undefined) => !!load && load.non2xx === 0 && load.errors === 0;
  const rawCeiling = { label: 'raw insert tx/s', value: num(raw?.txPerS) };
  const getCeiling = { label: 'bare GET', value: num(bareGet?.rps) };

  const commandsRatio = ratioOf(commands?.rps, raw?.txPerS);
  const bookingRatio = ratioOf(booking?.rps, raw?.txPerS);
  const slotsRatio = ratioOf(slots?.rps, bareGet?.rps);
  const getRatio = ratioOf(getClient?.rps, bareGet?.rps);
  const lagRateReached = lagLoad ? lagLoad.rps >= 0.95 * settings.lagRate : false;

  const figures: Figures = {
    raw_pg_insert_tx_per_s: {
      label: 'raw PostgreSQL insert tx/s (ceiling)',
      unit: 'tx/s',
      value: num(raw?.txPerS),
      target: 'ceiling',
      pass: null,
      note: raw ? `pg.Pool of ${C}, single-row INSERT per autocommit transaction, ${raw.transactions} in ${raw.seconds.toFixed(1)} s.` : skipped,
    },
    bare_fastify_get_req_per_s: {
      label: 'bare Fastify GET req/s (ceiling)',
      unit: 'req/s',
      value: num(bareGet?.rps),
      target: 'ceiling',
      pass: null,
      note: bareGet ? `p50 ${bareGet.latencyMs.p50} ms, p99 ${bareGet.latencyMs.p99} ms.` : skipped,
    },
    bare_fastify_post_req_per_s: {
      label: 'bare Fastify JSON POST req/s (ceiling)',
      unit: 'req/s',
      value: num(barePost?.rps),
      target: 'ceiling',
      pass: null,
      note: barePost ? `p50 ${barePost.latencyMs.p50} ms, p99 ${barePost.latencyMs.p99} ms.` : skipped,
    },
    commands_per_s: {
      label: 'commands/s over HTTP (PATCH /users/me)',
      unit: 'cmd/s',
      value: num(commands?.rps),
      ceiling: rawCeiling,
      ratio: commandsRatio,
      target: '>= 60% of raw insert tx/s',
      pass: commandsRatio === undefined ? null : commandsRatio >= 0.6 && clean(commands),
      note: commands
        ? `Authenticated staff PATCH, ${settings.staffUsers} users spread over ${C} connections (distinct streams), reply after read-your-writes; p50 ${commands.latencyMs.p50} ms, p99 ${commands.latencyMs.p99} ms.${failures(commands)}`
        : skipped,
    },
    booking_commands_per_s: booking
      ? {
          label: 'booking commands/s over HTTP',
          unit: 'cmd/s',
          value: booking.rps,
          ceiling: rawCeiling,
          ratio: bookingRatio,
          target: '>= 60% of raw insert tx/s',
          pass: bookingRatio === undefined ? null : bookingRatio >= 0.6 && clean(booking),
          note: `POST /organizations/{org}/appointments by clients for themselves, ${C} connections each on its own organization-days (distinct schedule streams), 15-minute slots; p50 ${booking.latencyMs.p50} ms, p99 ${booking.latencyMs.p99} ms.${failures(booking)}`,
        }
      : na('booking commands/s', 'cmd/s', '>= 60% of raw insert tx/s', schedulingUnavailable ? `could not be set up: ${schedulingUnavailable}` : only.has('booking') ? 'no booking command exists yet.' : skipped, rawCeiling),
    get_client_req_per_s: {
      label: 'GET one client req/s',
      unit: 'req/s',
      value: num(getClient?.rps),
      ceiling: getCeiling,
      ratio: getRatio,
      target: '>= 50% of bare GET',
      pass: getRatio === undefined ? null : getRatio >= 0.5 && clean(getClient),
      note: getClient
        ? `${getClientRoute}, each connection reading its own client with that client's token${getClientRoute.endsWith('/me') ? ' (GET /clients/{id} does not exist yet: the own profile stands in)' : ''}.${failures(getClient)}`
        : skipped,
    },
    get_client_p50_ms: { label: 'GET one client p50 latency', unit: 'ms', value: num(getClient?.latencyMs.p50), target: 'reported', pass: null },
    get_client_p99_ms: {
      label: 'GET one client p99 latency',
      unit: 'ms',
      value: num(getClient?.latencyMs.p99),
      target: '< 5 ms',
      pass: getClient ? getClient.latencyMs.p99 < 5 : null,
      note: getClient ? `at full load (${C} connections); bare GET p99 ${bareGet?.latencyMs.p99 ?? 'n/a'} ms under the same load.` : skipped,
    },
    free_slots_req_per_s: slots
      ? {
          label: 'free slots of a specialist for a week, req/s',
          unit: 'req/s',
          value: slots.rps,
          ceiling: getCeiling,
          ratio: slotsRatio,
          target: '>= 40% of bare GET',
          pass: slotsRatio === undefined ? null : slotsRatio >= 0.4 && clean(slots),
          note: `GET /specialists/{id}/slots?from..to (7 days, 30-minute slots, public) over 4 specialists working 24/7${booking ? ` whose calendar holds the ${booking.ok} bookings above` : ''}; p50 ${slots.latencyMs.p50} ms, p99 ${slots.latencyMs.p99} ms.${failures(slots)}`,
        }
      : na('free slots of a specialist for a week, req/s', 'req/s', '>= 40% of bare GET', schedulingUnavailable ? `could not be set up: ${schedulingUnavailable}` : only.has('slots') ? 'no slots query exists yet.' : skipped, getCeiling),
    rebuild_events_per_s: {
      label: `projection rebuild (${settings.rebuildEvents.toLocaleString('en-US')} events)`,
      unit: 'events/s',
      value: num(rebuild?.eventsPerS),
      target: '>= 50,000 events/s',
      pass: rebuild ? rebuild.finished && rebuild.eventsPerS >= 50_000 : null,
      note: rebuild
        ? `client-accounts projection, ${rebuild.events} events in ${rebuild.seconds} s (${rebuild.wallSeconds.toFixed(1)} s with process start), ${rebuild.rowsProjected} rows${rebuild.finished ? '' : `; did NOT finish within ${settings.rebuildTimeoutMs / 1000} s, the rate is the one reached so far`}.`
        : skipped,
    },
    projection_lag_p50_ms: {
      label: 'projection lag p50',
      unit: 'ms',
      value: num(lag?.p50Ms),
      target: 'reported',
      pass: null,
    },
    projection_lag_p99_ms: {
      label: `projection lag p99 at ${settings.lagRate.toLocaleString('en-US')} cmd/s`,
      unit: 'ms',
      value: num(lag?.p99Ms),
      target: '< 50 ms',
      pass: lag && lagLoad ? lag.p99Ms < 50 && lagRateReached && lag.unprojected === 0 : null,
      note: lag && lagLoad
        ? `${lagLoad.rps} cmd/s achieved of ${settings.lagRate} offered${lagRateReached ? '' : ' (the offered rate was NOT reached: the service was saturated)'}; ${lag.events} events, max ${lag.maxMs} ms, ${lag.unprojected} unprojected, polled every ${lag.pollMs} ms; command p50 ${lagLoad.latencyMs.p50} ms, p99 ${lagLoad.latencyMs.p99} ms.${failures(lagLoad)}` +
          (lagSustainable
            ? ` Below saturation, at ${lagSustainable.load.rps} cmd/s (${lagSustainable.rate} offered): lag p50 ${lagSustainable.lag.p50Ms} ms, p99 ${lagSustainable.lag.p99Ms} ms.`
            : '')
        : skipped,
    },
    api_peak_rss_mb: {
      label: 'peak RSS of the API process',
      unit: 'MB',
      value: num(peakRss),
      target: '< 200 MB',
      pass: peakRss === undefined ? null : peakRss < 200,
      note: details.rssByPhaseMb ? `VmHWM; ${String(details.idleRssMb)} MB at rest after start; peak RSS by phase ${JSON.stringify(details.rssByPhaseMb)}.` : skipped,
    },
    registrations_per_s: {
      label: 'registrations/s (argon2id bound)',
      unit: 'reg/s',
      value: num(register?.rps),
      ceiling: { label: 'argon2id hashes/s', value: num(argon2?.hashesPerS) },
      ratio: ratioOf(register?.rps, argon2?.hashesPerS),
      target: 'reported, with the hash cost',
      pass: null,
      note: `${ARGON2_DESCRIPTION}${argon2 ? `, ${argon2.msPerHash} ms per hash alone` : ''}${register ? `; p50 ${register.latencyMs.p50} ms, p99 ${register.latencyMs.p99} ms.${failures(register)}` : ''}`,
    },
  };
  for (const key of FIGURE_KEYS) if (!figures[key]) throw new Error(`figure ${key} missing`);

  const result = {
    mode: settings.mode,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    machine,
    settings: { ...settings, lagConnections, scenarios: [...only] },
    figures,
    details: { ...details, cpu: cpuByScenario, ...(queryCountsFile ? { sqlPerRequest: queriesByScenario } : {}), loads: { bareGet, barePost, getClient, commands, lagLoad, booking, slots, register }, lag, lagSustainable, rebuild, raw, argon2 },
  };

  const busiest = Object.entries(cpuByScenario as Record<string, { other: number; otherTop: Record<string, number> }>).filter(([, cpu]) => cpu.other > 20);
  const warnings = busiest.map(
    ([name, cpu]) =>
      `other processes (${Object.keys(cpu.otherTop).join(', ')}) used ${cpu.other}% of a core during ${name}: on a machine this small its figures are low by about that much`,
  );
  if (backgroundCpu > 15) warnings.unshift(`the machine was busy before the run (${backgroundCpu}% of a core)`);
  (result as Record<string, unknown>).warnings = warnings;

  log('');
  log(textTable(figures));
  log('');
  for (const note of notes(figures)) log(`- ${note}`);
  for (const warning of warnings) log(`! ${warning}`);
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nresults written to ${outPath} (${result.seconds} s)`);
  if (!quick && outPath === DEFAULT_OUT && only.size === SCENARIOS.length) {
    const heading = `Last full run: ${result.date.slice(0, 10)}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}; ${C} connections, ${settings.durationS} s per scenario, service at LOG_LEVEL=${settings.logLevel}.`;
    await updateReadme(join(BENCH_DIR, 'README.md'), heading, figures, warnings);
    log('bench/README.md updated');
  }

  if (profileDir) {
    for (const [what, dir] of [['the service', profileDir], ['the rebuild (cli)', join(profileDir, 'rebuild')]] as const) {
      const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
      for (const file of files) {
        log(`\nCPU profile of ${what}: ${join(dir, file)}`);
        log(formatSummary(await summarizeProfile(join(dir, file), 25)));
      }
    }
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
