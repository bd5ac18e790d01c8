import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import type { Test } from 'tap';
import { compose, type Runtime } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { freshPgliteDir, freshPostgresUrl, redisUrl } from './databases.js';

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
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: 'info', ...options.env };
  if ((options.database ?? 'postgres') === 'postgres') env.DATABASE_URL = await freshPostgresUrl(t);
  else await freshPgliteDir(t, join(dataDir, 'pglite'));
  if (options.redis) env.REDIS_URL = redisUrl;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const runtime = await compose(loadConfig(env), pino({ level: 'info' }, sink), options.now ? { now: options.now } : {});
  t.teardown(() => runtime.close());
  if (!runtime.app) throw new Error('the test runtime has no api role');
  return Object.assign(runtime, { app: runtime.app, logs });
}

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
