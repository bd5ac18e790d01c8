// Embedded mode (REDIS_URL unset): jobs run in this process with the BullMQ
// adapter's semantics (delay, dedupe by id, retries with exponential backoff,
// failed jobs kept for inspection). With a journal (job-journal.ts, a table
// beside the data) a job is recorded before it is scheduled and resumed after
// a restart; without one (tests of the contract), a job pending at close() is dropped.
// The operations are here; running a job and its retries are in in-process-runs.ts.
import { randomUUID } from 'node:crypto';
import type { JobJournal } from './job-journal.js';
import { enqueuedTraceparent } from '../observability/job-tracing.js';
import { record, schedule, type Entry, type QueueState } from './in-process-runs.js';
import {
  DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, assertJobId, errorMessage,
  type FailedJob, type InspectableJobQueue, type JobCounts, type JobOptions, type JobRegistry, type Logger,
} from './queue.js';

export interface InProcessJobsOptions {
  handlers: JobRegistry;
  logger: Logger;
  backoffBaseMs?: number;
  concurrency?: number;
  /** Failed jobs kept in memory, oldest dropped first. */
  failedLimit?: number;
  /** Completed ids remembered for dedupe, like BullMQ's removeOnComplete window. */
  completedLimit?: number;
  /** Pause before a job that met an outage runs again, its attempts untouched. */
  outageRetryMs?: number;
  /** Keeps jobs across restarts; call resume() once at start. */
  journal?: JobJournal;
}

export type InProcessJobs = InspectableJobQueue & {
  /** Schedules what the journal kept from before the last stop. */
  resume(): Promise<void>;
};

export function createInProcessJobs(options: InProcessJobsOptions): InProcessJobs {
  const q: QueueState = {
    handlers: options.handlers,
    logger: options.logger,
    journal: options.journal,
    backoffBaseMs: options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
    concurrency: options.concurrency ?? 5,
    failedLimit: options.failedLimit ?? 100,
    completedLimit: options.completedLimit ?? 1000,
    outageRetryMs: options.outageRetryMs,
    pending: new Map(),
    waiting: [],
    failedJobs: [],
    completed: new Set(),
    running: new Set(),
    closed: false,
    pumpScheduled: false,
    journaling: Promise.resolve(),
  };
  return {
    enqueue: (name, data, opts) => enqueue(q, name, data, opts),
    remove: (jobId) => remove(q, jobId),
    async failed(limit = 100): Promise<FailedJob[]> {
      return q.failedJobs.slice(0, limit).map((f) => ({ ...f, data: { ...f.data } }));
    },
    counts: () => counts(q),
    close: () => close(q),
    resume: () => resume(q),
  };
}

async function enqueue(q: QueueState, name: string, data: Record<string, string>, opts: JobOptions = {}): Promise<void> {
  if (q.closed) throw new Error('job queue is closed');
  const id = opts.jobId ?? randomUUID();
  assertJobId(id);
  if (q.pending.has(id) || q.completed.has(id) || q.failedJobs.some((f) => f.id === id)) return;
  // A copy, as BullMQ serializes: a caller mutating its object later changes nothing.
  const traceparent = enqueuedTraceparent(opts.traceparent);
  const entry: Entry = { id, name, data: { ...data }, attempts: opts.attempts ?? DEFAULT_ATTEMPTS, attempt: 1, state: 'recording', since: Date.now(), ...(traceparent ? { traceparent } : {}) };
  q.pending.set(id, entry);
  const delayMs = opts.delayMs ?? 0;
  if (!q.journal) return schedule(q, entry, delayMs);
  const runAt = new Date(Date.now() + delayMs);
  entry.dueAt = runAt.getTime();
  // Scheduled once recorded, and only if new: the journal also knows the ids done before a restart.
  record(q, 'start', id, async (j) => {
    const added = await j.add({ id, name, data: entry.data, attempt: 1, attempts: entry.attempts, runAt, traceparent: entry.traceparent }).catch((err: unknown) => {
      // Run it anyway: a job that would not survive a restart beats a job lost now.
      q.logger.error({ jobId: id, error: errorMessage(err) }, 'could not record a job; running it without the journal');
      return true;
    });
    if (q.pending.get(id) !== entry || q.closed) return;
    if (added) schedule(q, entry, runAt.getTime() - Date.now());
    else q.pending.delete(id);
  });
}

async function remove(q: QueueState, jobId: string): Promise<void> {
  const entry = q.pending.get(jobId);
  if (entry) {
    if (entry.state === 'active') return;
    clearTimeout(entry.timer);
    const at = q.waiting.indexOf(entry);
    if (at >= 0) q.waiting.splice(at, 1);
    q.pending.delete(jobId);
  }
  record(q, 'removal', jobId, (j) => j.remove(jobId));
  q.completed.delete(jobId);
  const failedAt = q.failedJobs.findIndex((f) => f.id === jobId);
  if (failedAt >= 0) q.failedJobs.splice(failedAt, 1);
}

async function counts(q: QueueState): Promise<JobCounts> {
  let delayed = 0;
  let recording = 0;
  for (const entry of q.pending.values()) {
    if (entry.state === 'delayed') delayed += 1;
    else if (entry.state === 'recording' && (entry.dueAt ?? 0) > Date.now()) delayed += 1;
    else if (entry.state === 'recording') recording += 1;
  }
  return { waiting: q.waiting.length + recording, active: q.running.size, delayed, failed: q.failedJobs.length };
}

async function close(q: QueueState): Promise<void> {
  q.closed = true;
  const dropped = [...q.pending.values()].filter((e) => e.state !== 'active');
  for (const entry of dropped) {
    clearTimeout(entry.timer);
    q.pending.delete(entry.id);
  }
  q.waiting.length = 0;
  if (dropped.length > 0 && q.journal) q.logger.info({ kept: dropped.length }, 'job queue closed; jobs not yet run are kept for the next start');
  else if (dropped.length > 0) q.logger.warn({ dropped: dropped.length }, 'job queue closed with jobs not yet run');
  await Promise.allSettled([...q.running]);
  await q.journaling;
}

async function resume(q: QueueState): Promise<void> {
  if (!q.journal) return;
  const kept = await q.journal.load(q.failedLimit);
  for (const job of kept.waiting) {
    if (q.pending.has(job.id)) continue;
    const entry: Entry = { id: job.id, name: job.name, data: job.data, attempts: job.attempts, attempt: job.attempt, state: 'recording', since: Date.now(), ...(job.traceparent ? { traceparent: job.traceparent } : {}) };
    q.pending.set(job.id, entry);
    schedule(q, entry, job.runAt.getTime() - Date.now());
  }
  q.failedJobs.push(...kept.failed.filter((f) => !q.failedJobs.some((known) => known.id === f.id)));
  if (kept.waiting.length > 0) q.logger.info({ resumed: kept.waiting.length }, 'jobs kept from before the restart resumed');
}
