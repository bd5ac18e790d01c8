import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Test } from 'tap';
import { compose, type Runtime } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { traceLogMixin } from '../../src/observability/log-tracing.js';
import { freshPgliteDir, freshPostgresUrl, redisUrl } from './databases.js';
import { until } from './waiting.js';

export interface TestRuntime extends Runtime {
  readonly app: FastifyInstance;
  /** Every log line the runtime wrote, as JSON text. */
  readonly logs: string[];
}

export interface TestRuntimeOptions {
  readonly database?: 'postgres' | 'pglite';
  readonly redis?: boolean;
  readonly env?: Record<string, string>;
  readonly now?: () => Date;
}

/** The whole service (api, projector, worker) on a fresh database, as npm start wires it. */
export async function startRuntime(t: Test, options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), 'runtime-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  // A busy 2-core machine can hold a read model back for seconds: a test's given
  // steps wait for their writes to be visible rather than meet a 202 (tests of
  // the 202 itself set their own wait).
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    RATE_LIMIT_CODE_REQUESTS_PER_IP: '1000',
    RATE_LIMIT_GUESSES_PER_IP: '1000',
    READ_YOUR_WRITES_TIMEOUT_MS: '20000',
    // A machine busy with other suites stalls a test process for seconds while it
    // compiles an app: no shedding here, test/api/under-pressure.test.ts tests it.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...options.env,
  };
  if ((options.database ?? 'postgres') === 'postgres') env.DATABASE_URL = await freshPostgresUrl(t);
  else await freshPgliteDir(t, join(dataDir, 'pglite'));
  if (options.redis) {
    env.REDIS_URL = redisUrl;
    env.REDIS_PREFIX = `test-${randomUUID()}`;
    t.teardown(() => dropRedisKeys(`${env.REDIS_PREFIX}*`));
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const runtime = await compose(loadConfig(env), pino({ level: 'info', mixin: traceLogMixin }, sink), options.now ? { now: options.now } : {});
  t.teardown(() => runtime.close());
  if (!runtime.app) throw new Error('the test runtime has no api role');
  return Object.assign(runtime, { app: runtime.app, logs });
}

async function dropRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The code in the last SMS the console provider "sent" to `phone`, waiting for the worker. */
/** The last one-time code the console provider sent to `to` (after log line `after`), once it has been sent. */
export function sentCode(runtime: { logs: string[] }, provider: 'sms' | 'email', to: string, after = 0, timeoutMs = 30_000): Promise<string> {
  const lastCode = () => {
    const messages = runtime.logs
      .slice(after)
      .map((line) => JSON.parse(line) as { msg?: string; to?: string; text?: string })
      .filter((entry) => entry.msg?.startsWith(`${provider} (console provider`) && entry.to === to);
    return /code is (\d{6})/.exec(messages.at(-1)?.text ?? '')?.[1];
  };
  return until(lastCode, timeoutMs, `an ${provider === 'sms' ? 'SMS' : 'email'} with a code to ${to}`);
}

export const smsCode = (runtime: { logs: string[] }, phone: string, after = 0, timeoutMs?: number) => sentCode(runtime, 'sms', phone, after, timeoutMs);

/** app.inject with a JSON body and an optional bearer token; returns status, JSON body and headers. */
export async function call(app: FastifyInstance, method: InjectOptions['method'], url: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
  const response = await app.inject({
    method,
    url,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { payload: options.body as InjectOptions['payload'] }),
  });
  const text = response.body;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.statusCode, body: json as Record<string, any>, headers: response.headers };
}
