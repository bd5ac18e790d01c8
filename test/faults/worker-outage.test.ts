import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import t from 'tap';
import { connect } from '../../src/db/connect.js';
import { createBullQueue, startBullWorker } from '../../src/jobs/bullmq.js';
import { createInProcessJobs } from '../../src/jobs/in-process.js';
import type { InspectableJobQueue, JobRegistry } from '../../src/jobs/queue.js';
import type { Tap } from '../helpers/jobs.js';
import { recordingLogger } from '../helpers/logs.js';
import { freshPostgresUrl, redisUrl } from '../helpers/databases.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/waiting.js';

// A job whose handler needs the database (sending a code reads it) meets a
// PostgreSQL outage longer than all its attempts would last. It waits for the
// database instead of spending them, and runs once it is back: nothing ends
// in the failed list, no SMS is lost.

type Start = (handlers: JobRegistry) => Promise<InspectableJobQueue>;

const adapters: Record<string, (t: Tap) => Start> = {
  'in process': (t) => async (handlers) => {
    const queue = createInProcessJobs({ handlers, logger: recordingLogger().logger, backoffBaseMs: 10, outageRetryMs: 100 });
    t.teardown(() => queue.close());
    return queue;
  },
  BullMQ: (t) => async (handlers) => {
    const prefix = `test-jobs-${randomUUID()}`;
    t.teardown(async () => {
      const raw = new Queue('jobs', { connection: { url: redisUrl }, prefix });
      await raw.obliterate({ force: true });
      await raw.close();
    });
    const { logger } = recordingLogger();
    const queue = createBullQueue({ connection: redisUrl, prefix, backoffBaseMs: 10, logger });
    const worker = startBullWorker({ connection: redisUrl, prefix, handlers, logger, outageRetryMs: 100 });
    t.teardown(async () => {
      await worker.close();
      await queue.close();
    });
    return queue;
  },
};

for (const [name, adapter] of Object.entries(adapters)) {
  t.test(`${name}: a job that meets a database outage waits for it without spending its attempts`, async (t) => {
    const url = await freshPostgresUrl(t);
    const proxy = await startTcpProxy(t, { port: Number(new URL(url).port || 5432) });
    const { db } = connect({ kind: 'postgres', url: proxy.via(url), connectTimeoutMs: 1_000 });
    t.teardown(() => db.destroy());
    let tries = 0;
    let sent = 0;
    const queue = await adapter(t)({
      'send-sms': async () => {
        tries++;
        await sql`SELECT 1`.execute(db);
        sent++;
      },
    });

    proxy.cut();
    await queue.enqueue('send-sms', { id: 'x' }, { jobId: 'sms-1', attempts: 2 });
    // More tries than its attempts: without the outage rule it would be in the failed list by now.
    await until(() => tries >= 4 || undefined, 30_000);
    t.same((await queue.failed()).map((f) => f.id), [], 'not failed during the outage');
    proxy.restore();
    await until(() => sent === 1 || undefined, 30_000);
    await until(async () => ((await queue.counts()).delayed === 0 && (await queue.counts()).active === 0) || undefined, 30_000);
    t.equal(sent, 1, 'sent once the database is back');
    t.same(await queue.failed(), [], 'nothing failed');
  });
}
