import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import t from 'tap';
import { compose } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { freshPostgresUrl, redisUrl } from '../helpers/databases.js';
import { call } from '../helpers/runtime.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/waiting.js';

// Redis goes away (a TCP proxy between the service and the shared server cuts
// every connection and refuses new ones) and comes back. The process (api,
// projector and BullMQ worker in one) stays up, says it is not ready
// meanwhile, and the SMS of a registration made during the outage is sent
// after it: none lost.

t.test('a Redis outage: readiness 503 then 200, the worker survives and delivers the SMS queued meanwhile', async (t) => {
  const proxy = await startTcpProxy(t, { port: Number(new URL(redisUrl).port || 6379) });
  const prefix = `test-${randomUUID()}`;
  t.teardown(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'redis-outage-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  // No load shedding, as in test/faults/postgres-outage.test.ts: injected requests in a loop never let a shed window end.
  const env = { DATA_DIR: dataDir, DATABASE_URL: await freshPostgresUrl(t), REDIS_URL: proxy.via(redisUrl), REDIS_PREFIX: prefix, LOG_LEVEL: 'info', RATE_LIMIT_CODE_REQUESTS_PER_IP: '1000', RATE_LIMIT_GUESSES_PER_IP: '1000', MAX_EVENT_LOOP_DELAY_MS: '0' };
  const runtime = await compose(loadConfig(env), pino({ level: 'info' }, sink));
  t.teardown(() => runtime.close());
  const app = runtime.app!;
  const smsTo = (phone: string) => logs.filter((l) => l.includes('sms (console provider') && l.includes(phone)).length;

  // Working before: a registration's code arrives.
  t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79517586301', password: 'client1client1' } })).status, 201);
  await until(() => smsTo('+79517586301') === 1 || undefined, 30_000);
  t.equal((await call(app, 'GET', '/health/ready')).status, 200);

  proxy.cut();
  const cutAt = Date.now();
  await until(async () => (await call(app, 'GET', '/health/ready')).status === 503 || undefined, 30_000);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const reply = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: `+7951758631${i}`, password: 'client1client1' } });
    statuses.push(reply.status);
    if (reply.status === 503) t.ok(reply.headers['retry-after'], 'a 503 says when to retry');
  }
  t.ok(statuses.every((s) => s === 201 || s === 503), 'registrations during the outage: 201 (the SMS waits) or 503, never a 500', { statuses });
  const accepted = statuses.flatMap((s, i) => (s === 201 ? [`+7951758631${i}`] : []));

  proxy.restore();
  const restoredAt = Date.now();
  await until(async () => (await call(app, 'GET', '/health/ready')).status === 200 || undefined, 60_000);
  const readyAfterMs = Date.now() - restoredAt;
  for (const phone of accepted) await until(() => smsTo(phone) >= 1 || undefined, 60_000);
  const deliveredAfterMs = Date.now() - restoredAt;
  t.same(accepted.map(smsTo), accepted.map(() => 1), 'every code accepted during the outage was sent, once');
  t.comment(`redis outage figures: ${Math.round((restoredAt - cutAt) / 1000)} s outage; register statuses ${statuses.join(',')}; ready ${readyAfterMs} ms and all ${accepted.length} SMS sent ${deliveredAfterMs} ms after restore; lost ${accepted.filter((p) => smsTo(p) === 0).length}`);
});
