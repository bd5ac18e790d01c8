// Embedded mode (REDIS_URL unset): jobs run in this process with the BullMQ
// adapter's semantics (delay, dedupe by id, retries with exponential backoff,
// failed jobs kept for inspection). Nothing survives a restart: a job pending
// at close() is dropped, which is the price of running without Redis.
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, assertJobId, backoffDelay, errorMessage, handlerFor, unknownJobMessage,
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
}

interface Entry {
  id: string;
  name: string;
  data: Record<string, string>;
  attempts: number;
  attempt: number;
  state: 'waiting' | 'delayed' | 'active';
  timer?: NodeJS.Timeout;
}

export function createInProcessJobs(options: InProcessJobsOptions): InspectableJobQueue {
  const { handlers, logger } = options;
  const backoffBaseMs = options.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const concurrency = options.concurrency ?? 5;
  const failedLimit = options.failedLimit ?? 100;
  const completedLimit = options.completedLimit ?? 1000;

  const pending = new Map<string, Entry>();
  const waiting: Entry[] = [];
  const failedJobs: FailedJob[] = []; // newest first
  const completed = new Set<string>(); // insertion order = age, for pruning
  const running = new Set<Promise<void>>();
  let closed = false;
  let pumpScheduled = false;

  // setImmediate rather than a direct call: the handler must never run inside
  // the caller's await (a request would otherwise wait for an SMS gateway).
  function schedulePump(): void {
    if (pumpScheduled || closed) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      while (!closed && running.size < concurrency && waiting.length > 0) {
        const entry = waiting.shift() as Entry;
        const run = execute(entry).finally(() => {
          running.delete(run);
          schedulePump();
        });
        running.add(run);
      }
    });
  }

  function later(entry: Entry, delayMs: number): void {
    entry.state = 'delayed';
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.state = 'waiting';
      waiting.push(entry);
      schedulePump();
    }, delayMs);
  }

  async function execute(entry: Entry): Promise<void> {
    entry.state = 'active';
    const log = { jobId: entry.id, job: entry.name, attempt: entry.attempt, attempts: entry.attempts };
    const handler = handlerFor(handlers, entry.name);
    try {
      if (!handler) throw new Error(unknownJobMessage(entry.name));
      await handler(entry.data, { attempt: entry.attempt, jobId: entry.id });
      pending.delete(entry.id);
      remember(completed, completedLimit, entry.id);
    } catch (err) {
      const error = errorMessage(err);
      // A missing handler will not appear by retrying, as with BullMQ's UnrecoverableError.
      if (handler && entry.attempt < entry.attempts && !closed) {
        const delayMs = backoffDelay(backoffBaseMs, entry.attempt);
        logger.warn({ ...log, error, retryInMs: delayMs }, 'job attempt failed, will retry');
        entry.attempt += 1;
        later(entry, delayMs);
        return;
      }
      pending.delete(entry.id);
      failedJobs.unshift({ id: entry.id, name: entry.name, data: entry.data, attempts: entry.attempt, error, failedAt: new Date() });
      if (failedJobs.length > failedLimit) failedJobs.length = failedLimit;
      logger.error({ ...log, error }, 'job failed');
    }
  }

  return {
    async enqueue(name: string, data: Record<string, string>, opts: JobOptions = {}): Promise<void> {
      if (closed) throw new Error('job queue is closed');
      const id = opts.jobId ?? randomUUID();
      assertJobId(id);
      if (pending.has(id) || completed.has(id) || failedJobs.some((f) => f.id === id)) return;
      // A copy, as BullMQ serializes: a caller mutating its object later changes nothing.
      const entry: Entry = { id, name, data: { ...data }, attempts: opts.attempts ?? DEFAULT_ATTEMPTS, attempt: 1, state: 'waiting' };
      pending.set(id, entry);
      if (opts.delayMs && opts.delayMs > 0) {
        later(entry, opts.delayMs);
      } else {
        waiting.push(entry);
        schedulePump();
      }
    },

    async remove(jobId: string): Promise<void> {
      const entry = pending.get(jobId);
      if (entry) {
        if (entry.state === 'active') return;
        clearTimeout(entry.timer);
        const at = waiting.indexOf(entry);
        if (at >= 0) waiting.splice(at, 1);
        pending.delete(jobId);
      }
      completed.delete(jobId);
      const failedAt = failedJobs.findIndex((f) => f.id === jobId);
      if (failedAt >= 0) failedJobs.splice(failedAt, 1);
    },

    async failed(limit = 100): Promise<FailedJob[]> {
      return failedJobs.slice(0, limit).map((f) => ({ ...f, data: { ...f.data } }));
    },

    async counts(): Promise<JobCounts> {
      let delayed = 0;
      for (const entry of pending.values()) if (entry.state === 'delayed') delayed += 1;
      return { waiting: waiting.length, active: running.size, delayed, failed: failedJobs.length };
    },

    async close(): Promise<void> {
      closed = true;
      const dropped = [...pending.values()].filter((e) => e.state !== 'active');
      for (const entry of dropped) {
        clearTimeout(entry.timer);
        pending.delete(entry.id);
      }
      waiting.length = 0;
      if (dropped.length > 0) logger.warn({ dropped: dropped.length }, 'job queue closed with jobs not yet run');
      await Promise.allSettled([...running]);
    },
  };
}

function remember(ids: Set<string>, limit: number, id: string): void {
  ids.add(id);
  if (ids.size > limit) ids.delete(ids.values().next().value as string);
}
