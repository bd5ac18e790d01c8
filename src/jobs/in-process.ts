// Embedded mode (REDIS_URL unset): jobs run in this process with the BullMQ
// adapter's semantics (delay, dedupe by id, retries with exponential backoff,
// failed jobs kept for inspection). With a journal (job-journal.ts, a table
// beside the data) a job is recorded before it is scheduled and resumed after
// a restart; without one (tests of the contract), a job pending at close() is dropped.
import { randomUUID } from 'node:crypto';
import { isOutage } from '../store/outages.js';
import type { JobJournal } from './job-journal.js';
import {
  DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_BASE_MS, OUTAGE_PATIENCE_MS, OUTAGE_RETRY_MS, assertJobId, backoffDelay, errorMessage, handlerFor, unknownJobMessage,
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

interface Entry {
  id: string;
  name: string;
  data: Record<string, string>;
  attempts: number;
  attempt: number;
  /** 'recording': being written to the journal, scheduled once it is there. */
  state: 'recording' | 'waiting' | 'delayed' | 'active';
  /** When this process took it (epoch ms): how long it has waited for outages. */
  since: number;
  /** When it is due (epoch ms), while recording: counted as delayed or waiting meanwhile. */
  dueAt?: number;
  timer?: NodeJS.Timeout;
}

export function createInProcessJobs(options: InProcessJobsOptions): InProcessJobs {
  const { handlers, logger, journal } = options;
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

  // Journal writes, one at a time in the order of the changes they record (a
  // job's completion never overtakes its insert). Not awaited by enqueue: a
  // reactor enqueues inside its checkpoint's transaction, and on PGlite (one
  // connection) a write awaited there would wait for that transaction forever.
  let journaling: Promise<void> = Promise.resolve();
  function record(what: string, jobId: string, write: (journal: JobJournal) => Promise<unknown>): void {
    if (!journal) return;
    journaling = journaling.then(() => write(journal)).then(
      () => undefined,
      (err: unknown) => logger.error({ jobId, error: errorMessage(err) }, `could not record a job's ${what}`),
    );
  }

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

  function schedule(entry: Entry, delayMs: number): void {
    if (delayMs > 0) {
      later(entry, delayMs);
    } else {
      entry.state = 'waiting';
      waiting.push(entry);
      schedulePump();
    }
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
      record('completion', entry.id, (j) => j.completed(entry.id));
    } catch (err) {
      const error = errorMessage(err);
      // A dependency down is no fault of the job: it waits for it without spending an attempt.
      if (handler && isOutage(err) && !closed && Date.now() - entry.since < OUTAGE_PATIENCE_MS) {
        const delayMs = options.outageRetryMs ?? OUTAGE_RETRY_MS;
        logger.warn({ ...log, error, retryInMs: delayMs }, 'job waits for an outage to end');
        record('retry', entry.id, (j) => j.retryAt(entry.id, entry.attempt, new Date(Date.now() + delayMs)));
        later(entry, delayMs);
        return;
      }
      // Closing: the journal keeps the next attempt for the next start.
      if (handler && entry.attempt < entry.attempts && closed && journal) {
        pending.delete(entry.id);
        record('retry', entry.id, (j) => j.retryAt(entry.id, entry.attempt + 1, new Date(Date.now() + backoffDelay(backoffBaseMs, entry.attempt))));
        return;
      }
      // A missing handler will not appear by retrying, as with BullMQ's UnrecoverableError.
      if (handler && entry.attempt < entry.attempts && !closed) {
        const delayMs = backoffDelay(backoffBaseMs, entry.attempt);
        logger.warn({ ...log, error, retryInMs: delayMs }, 'job attempt failed, will retry');
        entry.attempt += 1;
        record('retry', entry.id, (j) => j.retryAt(entry.id, entry.attempt, new Date(Date.now() + delayMs)));
        later(entry, delayMs);
        return;
      }
      pending.delete(entry.id);
      record('failure', entry.id, (j) => j.failed(entry.id, entry.attempt, error));
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
      const entry: Entry = { id, name, data: { ...data }, attempts: opts.attempts ?? DEFAULT_ATTEMPTS, attempt: 1, state: 'recording', since: Date.now() };
      pending.set(id, entry);
      const delayMs = opts.delayMs ?? 0;
      if (!journal) return schedule(entry, delayMs);
      const runAt = new Date(Date.now() + delayMs);
      entry.dueAt = runAt.getTime();
      // Scheduled once recorded, and only if new: the journal also knows the ids done before a restart.
      record('start', id, async (j) => {
        const added = await j.add({ id, name, data: entry.data, attempt: 1, attempts: entry.attempts, runAt }).catch((err: unknown) => {
          // Run it anyway: a job that would not survive a restart beats a job lost now.
          logger.error({ jobId: id, error: errorMessage(err) }, 'could not record a job; running it without the journal');
          return true;
        });
        if (pending.get(id) !== entry || closed) return;
        if (added) schedule(entry, runAt.getTime() - Date.now());
        else pending.delete(id);
      });
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
      record('removal', jobId, (j) => j.remove(jobId));
      completed.delete(jobId);
      const failedAt = failedJobs.findIndex((f) => f.id === jobId);
      if (failedAt >= 0) failedJobs.splice(failedAt, 1);
    },

    async failed(limit = 100): Promise<FailedJob[]> {
      return failedJobs.slice(0, limit).map((f) => ({ ...f, data: { ...f.data } }));
    },

    async counts(): Promise<JobCounts> {
      let delayed = 0;
      let recording = 0;
      for (const entry of pending.values()) {
        if (entry.state === 'delayed') delayed += 1;
        else if (entry.state === 'recording' && (entry.dueAt ?? 0) > Date.now()) delayed += 1;
        else if (entry.state === 'recording') recording += 1;
      }
      return { waiting: waiting.length + recording, active: running.size, delayed, failed: failedJobs.length };
    },

    async close(): Promise<void> {
      closed = true;
      const dropped = [...pending.values()].filter((e) => e.state !== 'active');
      for (const entry of dropped) {
        clearTimeout(entry.timer);
        pending.delete(entry.id);
      }
      waiting.length = 0;
      if (dropped.length > 0 && journal) logger.info({ kept: dropped.length }, 'job queue closed; jobs not yet run are kept for the next start');
      else if (dropped.length > 0) logger.warn({ dropped: dropped.length }, 'job queue closed with jobs not yet run');
      await Promise.allSettled([...running]);
      await journaling;
    },

    async resume(): Promise<void> {
      if (!journal) return;
      const kept = await journal.load(failedLimit);
      for (const job of kept.waiting) {
        if (pending.has(job.id)) continue;
        const entry: Entry = { id: job.id, name: job.name, data: job.data, attempts: job.attempts, attempt: job.attempt, state: 'recording', since: Date.now() };
        pending.set(job.id, entry);
        schedule(entry, job.runAt.getTime() - Date.now());
      }
      failedJobs.push(...kept.failed.filter((f) => !failedJobs.some((known) => known.id === f.id)));
      if (kept.waiting.length > 0) logger.info({ resumed: kept.waiting.length }, 'jobs kept from before the restart resumed');
    },
  };
}

function remember(ids: Set<string>, limit: number, id: string): void {
  ids.add(id);
  if (ids.size > limit) ids.delete(ids.values().next().value as string);
}
