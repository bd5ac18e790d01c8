import t from 'tap';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createBullQueue, startBullWorker } from '../../src/jobs/bullmq.js';
import { jobQueueContract, TEST_BACKOFF_MS } from '../helpers/job-queue-contract.js';
import { redisUrl } from '../helpers/databases.js';
import type { Tap } from '../helpers/jobs.js';
import { recordingLogger } from '../helpers/logs.js';

// A random prefix per test keeps runs apart on a shared Redis; obliterate removes the keys after.
function isolatedPrefix(t: Tap): string {
  const prefix = `test-jobs-${randomUUID()}`;
  t.teardown(async () => {
    const raw = new Queue('jobs', { connection: { url: redisUrl }, prefix });
    await raw.obliterate({ force: true });
    await raw.close();
  });
  return prefix;
}

t.test('BullMQ: the JobQueue contract', async (t) => {
  jobQueueContract(t, async (t, handlers, logger) => {
    const prefix = isolatedPrefix(t);
    const queue = createBullQueue({ connection: redisUrl, prefix, backoffBaseMs: TEST_BACKOFF_MS, logger });
    const worker = startBullWorker({ connection: redisUrl, prefix, handlers, logger });
    // Teardowns run last-registered first: worker and queue close before the obliterate above.
    t.teardown(async () => {
      await worker.close();
      await queue.close();
    });
    return { queue, closeWorker: () => worker.close() };
  });
});

t.test('BullMQ: a worker in another process runs the jobs this process enqueues', async (t) => {
  const prefix = isolatedPrefix(t);
  const queue = createBullQueue({ connection: redisUrl, prefix });
  t.teardown(() => queue.close());
  const script = fileURLToPath(new URL('../helpers/job-worker.js', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, REDIS_URL: redisUrl, JOBS_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  t.equal((await lines.next()).value, 'ready');

  await queue.enqueue('ping', { clientId: 'c-42' }, { jobId: 'ping-1' });
  const report: unknown = JSON.parse(String((await lines.next()).value));
  t.match(report, { data: { clientId: 'c-42' }, jobId: 'ping-1', attempt: 1 });
  t.not((report as { pid: number }).pid, process.pid, 'it ran in the other process');

  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.equal(code, 0, 'the worker closed cleanly on SIGTERM');
});

t.test('BullMQ: obliterate leaves no key behind under the test prefix', async (t) => {
  const prefix = `test-jobs-${randomUUID()}`;
  const { logger } = recordingLogger();
  const queue = createBullQueue({ connection: redisUrl, prefix });
  const worker = startBullWorker({ connection: redisUrl, prefix, handlers: { fail: async () => { throw new Error('x'); } }, logger });
  await queue.enqueue('fail', {}, { attempts: 1 });
  await queue.enqueue('fail', {}, { delayMs: 60_000 });
  await worker.close();
  const raw = new Queue('jobs', { connection: { url: redisUrl }, prefix });
  await raw.obliterate({ force: true });
  await raw.close();
  await queue.close();
  const redis = new Redis(redisUrl);
  t.teardown(() => redis.quit());
  t.same(await redis.keys(`${prefix}:*`), []);
});
