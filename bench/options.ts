// The command line of npm run bench (see run.ts), what it sets for this run,
// and the PostgreSQL and Redis it cleans up after.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

export const SCENARIOS = ['raw_pg', 'bare', 'argon2', 'get_client', 'commands', 'lag', 'booking', 'booking_by_service', 'slots', 'register', 'rebuild'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const BENCH_DIR = fileURLToPath(new URL('../../bench', import.meta.url));
export const DEFAULT_OUT = join(BENCH_DIR, 'results.json');

export const { values: args } = parseArgs({
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

export const quick = args.quick ?? false;
export const settings = {
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
export const only = new Set<Scenario>(args.only ? (args.only.split(',').map((s) => s.trim()) as Scenario[]) : SCENARIOS);
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`--only: unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
export const outPath = args.out ?? (quick ? join(tmpdir(), `bench-quick-${process.pid}.json`) : DEFAULT_OUT);

export const log = (line: string) => process.stdout.write(`${line}\n`);
export const runId = randomBytes(5).toString('hex');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const redisPrefix = `bench-${runId}`;

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin<T>(work: (client: pg.Client) => Promise<T>, url = adminUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropRedisKeys(): Promise<void> {
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

export type Settings = typeof settings;
