// Services mode (REDIS_URL set): jobs live in Redis through BullMQ, so a
// worker may run in another process and a job survives restarts.
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { isOutage } from '../store/outages.js';
import { enqueuedTraceparent, inJobSpan } from '../observability/job-tracing.js';
import {
  DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, OUTAGE_PATIENCE_MS, OUTAGE_RETRY_MS, assertJobId, errorMessage, handlerFor, unknownJobMessage,
  type FailedJob, type InspectableJobQueue, type JobCounts, type JobOptions, type JobRegistry, type JobWorker, type Logger,
} from './queue.js';

type JobData = Record<string, string>;

export interface BullQueueOptions {
  /** A redis:// URL. */
  connection: string;
  /** Key prefix; tests use a random one to stay apart on a shared Redis. */
  prefix?: string;
  queueName?: string;
  /** Base of the exponential backoff between attempts; tests shrink it. */
  backoffBaseMs?: number;
  /** Receives connection errors, which ioredis retries on its own. */
  logger?: Logger;
}

export interface BullWorkerOptions {
  connection: string;
  prefix?: string;
  queueName?: string;
  handlers: JobRegistry;
  concurrency?: number;
  logger: Logger;
  /** Pause before a job that met an outage runs again, its attempts untouched. */
  outageRetryMs?: number;
}

// Completed jobs are kept a day so that a jobId enqueued again soon after it
// ran is still deduped (BullMQ forgets an id once its job is removed).
const KEEP_COMPLETED = { age: 24 * 60 * 60, count: 1000 };

export function createBullQueue(options: BullQueueOptions): InspectableJobQueue {
  const queue = new Queue<JobData, void, string>(options.queueName ?? 'jobs', {
    connection: { url: options.connection },
    ...(options.prefix ? { prefix: options.prefix } : {}),
    defaultJobOptions: {
      attempts: DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS },
      removeOnComplete: KEEP_COMPLETED,
      // Failed jobs stay until removed: they are the evidence for failed().
      removeOnFail: false,
    },
  });
  // An 'error' event without a listener would crash the process.
  queue.on('error', (err) => options.logger?.error({ error: errorMessage(err) }, 'job queue connection error'));

  return {
    async enqueue(name: string, data: JobData, opts: JobOptions = {}): Promise<void> {
      if (opts.jobId !== undefined) assertJobId(opts.jobId);
      const traceparent = enqueuedTraceparent(opts.traceparent);
      await queue.add(name, data, {
        // BullMQ's own field for a job's trace context (kept with its options, read back by the worker).
        ...(traceparent ? { telemetry: { metadata: traceparent } } : {}),
        ...(opts.jobId !== undefined ? { jobId: opts.jobId } : {}),
        ...(opts.delayMs ? { delay: opts.delayMs } : {}),
        ...(opts.attempts !== undefined ? { attempts: opts.attempts } : {}),
      });
    },

    async remove(jobId: string): Promise<void> {
      // Returns 0 for a job locked by a worker: a running job is left alone, as documented.
      await queue.remove(jobId);
    },

    async failed(limit = 100): Promise<FailedJob[]> {
      const jobs = await queue.getFailed(0, limit - 1);
      return jobs.map((job) => ({
        id: job.id ?? '',
        name: job.name,
        data: job.data,
        attempts: job.attemptsMade,
        error: job.failedReason,
        failedAt: new Date(job.finishedOn ?? job.processedOn ?? job.timestamp),
      }));
    },

    async counts(): Promise<JobCounts> {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      return { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, completed: c.completed ?? 0 };
    },

    async close(): Promise<void> {
      await untilReady(queue.waitUntilReady());
      await queue.close();
    },
  };
}

export function startBullWorker(options: BullWorkerOptions): JobWorker {
  const { handlers, logger } = options;
  const worker = new Worker<JobData, void, string>(
    options.queueName ?? 'jobs',
    async (job: Job<JobData, void, string>, token?: string) => {
      const handler = handlerFor(handlers, job.name);
      // Unrecoverable: retrying cannot make a handler appear in this build.
      if (!handler) throw new UnrecoverableError(unknownJobMessage(job.name));
      try {
        const info = { attempt: job.attemptsMade + 1, jobId: job.id ?? '' };
        await inJobSpan(job.name, job.opts.telemetry?.metadata, info, () => handler(job.data, info));
      } catch (err) {
        // A dependency down (the database) is no fault of the job: it waits for
        // it without spending an attempt, so a long outage loses no SMS.
        if (!isOutage(err) || token === undefined || Date.now() - job.timestamp > OUTAGE_PATIENCE_MS) throw err;
        logger.warn({ jobId: job.id, job: job.name, error: errorMessage(err) }, 'job waits for an outage to end');
        await job.moveToDelayed(Date.now() + (options.outageRetryMs ?? OUTAGE_RETRY_MS), token);
        throw new DelayedError();
      }
    },
    {
      // Workers block on Redis; BullMQ needs ioredis to retry commands forever.
      connection: { url: options.connection, maxRetriesPerRequest: null },
      ...(options.prefix ? { prefix: options.prefix } : {}),
      concurrency: options.concurrency ?? 5,
    },
  );

  // Ids, name and attempt only: job data stays out of logs.
  worker.on('failed', (job, err) => {
    if (!job) {
      logger.error({ error: err.message }, 'job failed');
      return;
    }
    const attempts = job.opts.attempts ?? 1;
    const final = job.attemptsMade >= attempts || err instanceof UnrecoverableError || job.finishedOn !== undefined;
    const log = { jobId: job.id, job: job.name, attempt: job.attemptsMade, attempts, error: err.message };
    if (final) logger.error(log, 'job failed');
    else logger.warn(log, 'job attempt failed, will retry');
  });
  worker.on('error', (err) => logger.error({ error: errorMessage(err) }, 'job worker error'));

  return {
    async close(): Promise<void> {
      await untilReady(worker.waitUntilReady());
      await worker.close();
      await stopStalledChecker(worker);
    },
  };
}

// BullMQ 5 emits an 'error' nobody listens to (a process crash) when a
// connection is closed while it is still initializing, so close waits for
// readiness first; bounded, so that shutting down with Redis gone still ends.
async function untilReady(ready: Promise<unknown>, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ready.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

// BullMQ 5 race (taskforcesh/bullmq#1810 and kin): when close() lands while a
// stalled-jobs check is in flight, the check re-arms its 30 s timer after close
// returned, holding the process open that long. Stop it until its loop ends.
// The fields are private: if a release renames them this does nothing and
// exit is merely slower.
async function stopStalledChecker(worker: Worker<JobData, void, string>): Promise<void> {
  const internals = worker as unknown as { stalledCheckerRunning?: boolean; stalledCheckStopper?: () => void };
  const deadline = Date.now() + 2000;
  while (internals.stalledCheckerRunning === true && Date.now() < deadline) {
    internals.stalledCheckStopper?.();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
