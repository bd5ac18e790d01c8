// npm run bench [-- --quick] [-- --out FILE] [-- --profile] [-- --only a,b]
//
// Starts the service in deps mode (PostgreSQL + Redis, every role in one
// process) as a child process, loads it over real HTTP from this process with
// autocannon, measures this machine's ceilings in the same run (raw
// PostgreSQL inserts, bare Fastify), and prints a table, also saved as JSON.
// See bench/README.md for the method behind each figure.
// The command line is read in options.ts; the scenarios are in standalone.ts
// (ceilings, rebuild), service.ts and service-loads.ts; the figures in results.ts.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { backgroundCpuBeforeRun, meter, type Run } from './measure.js';
import { admin, args, dropRedisKeys, log, only, redisPrefix, runId, settings } from './options.js';
import { formatSummary, summarizeProfile } from './profile.js';
import { figuresOf, writeResults, type Machine } from './results.js';
import { measureService } from './service.js';
import { measureCeilings, measureRebuildScenario } from './standalone.js';

async function main(): Promise<number> {
  const started = Date.now();
  log(`bench ${settings.mode}: ${settings.connections} connections, ${settings.durationS} s per load scenario, run ${runId}`);
  const dbName = `bench_${runId}`;
  const rebuildDbName = `bench_${runId}_rebuild`;
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-data-'));
  const queryCountsFile = args['count-queries'] ? join(dataDir, 'query-counts.json') : undefined;
  const cores = cpus().length;
  const profileDir = args.profile ? await mkdtemp(join(tmpdir(), 'bench-profile-')) : undefined;
  const run: Run = {
    dbName,
    rebuildDbName,
    dataDir,
    queryCountsFile,
    profileDir,
    meter: meter(cores, queryCountsFile),
    details: {},
    m: { getClientRoute: 'GET /api/v1/clients/me' },
    children: {},
  };

  const backgroundCpu = await backgroundCpuBeforeRun(cores);
  const machine: Machine = await admin(async (client) => {
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

  try {
    await measureCeilings(run);
    await measureService(run);
    await measureRebuildScenario(run);
  } finally {
    const { bare, service } = run.children;
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

  await writeResults(run, started, machine, backgroundCpu, figuresOf(run.m, run.details));

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
