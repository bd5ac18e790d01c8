// The scenarios against the service itself: started as a child process with
// PostgreSQL and Redis (every role in one process), its test data set up over
// HTTP, then each load in turn (service-loads.ts) while its memory is sampled.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryOf, startService } from './children.js';
import { RssSampler, type Run } from './measure.js';
import { admin, databaseUrl, log, only, redisPrefix, redisUrl, runId, settings } from './options.js';
import { measureCommands, measureGetClient, measureLag, measureRegister, measureScheduling, patchesOf } from './service-loads.js';
import { clients as setupClients, staffUsers } from './setup.js';

const COUNT_QUERIES_JS = fileURLToPath(new URL('./count-queries.js', import.meta.url));

export async function measureService(run: Run): Promise<void> {
  const needsService = (['get_client', 'commands', 'lag', 'booking', 'booking_by_service', 'slots', 'register'] as const).some((s) => only.has(s));
  if (!needsService) return;
  const { dbName, dataDir, queryCountsFile, profileDir, details, m, children } = run;
  const C = settings.connections;
  log('starting the service (PostgreSQL + Redis, all roles) as a child process');
  const service = await startService({
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
  children.service = service;
  const rss = new RssSampler(service.process.pid!);
  const base = service.url;
  await sleep(1000);
  details.idleRssMb = (await memoryOf(service.process.pid!))?.rssMb.toFixed(1);
  log(`  RSS at rest after start: ${String(details.idleRssMb)} MB`);

  rss.enter('setup');
  log(`setup over HTTP: ${settings.staffUsers} staff users and ${C} clients, each with a token`);
  const scheduling = only.has('booking') || only.has('booking_by_service') || only.has('slots');
  const staff = only.has('commands') || only.has('lag') ? await staffUsers(base, runId, settings.staffUsers) : scheduling ? await staffUsers(base, runId, 1) : [];
  const people = only.has('get_client') || scheduling ? await setupClients(base, 1, C, (phone) => service.smsCode(phone)) : [];
  const loads = { run, service, base, rss, staff, people, patchesFor: patchesOf(staff) };

  if (only.has('get_client')) await measureGetClient(loads);
  if (only.has('commands')) await measureCommands(loads);
  if (only.has('lag')) await measureLag(loads);
  if (scheduling) await measureScheduling(loads);

  if (only.has('commands') || only.has('lag')) {
    details.userStreams = await admin(async (client) => {
      const { rows } = await client.query<{ streams: string; max: number; avg: string }>(
        `SELECT count(*)::text AS streams, max(version) + 1 AS max, round(avg(version) + 1, 1)::text AS avg FROM streams WHERE stream_id LIKE 'user-%'`,
      );
      return { streams: Number(rows[0]?.streams), maxEvents: rows[0]?.max, meanEvents: Number(rows[0]?.avg) };
    }, databaseUrl(dbName));
  }

  if (only.has('register')) await measureRegister(loads);

  rss.enter('end');
  m.peakRss = await rss.stop();
  details.rssByPhaseMb = rss.byPhase;
  const code = await service.stop();
  if (code !== 0) log(`  the service exited with code ${code}:\n${service.output()}`);
  children.service = undefined;
  log(`service stopped; peak RSS ${m.peakRss} MB`);
}
