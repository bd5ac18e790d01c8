// The running side of the embedded queue (in-process.ts): the pump that
// starts waiting jobs, what follows an attempt (done, retry, wait out an
// outage, fail) and the journal writes that record each change.
import { isOutage } from '../store/outages.js';
import type { JobJournal } from './job-journal.js';
import { inJobSpan } from '../observability/job-tracing.js';
import { OUTAGE_PATIENCE_MS, OUTAGE_RETRY_MS, backoffDelay, errorMessage, handlerFor, unknownJobMessage, type FailedJob, type JobRegistry, type Logger } from './queue.js';

export interface Entry {
  id: string;
  name: string;
  data: Record<string, string>;
  attempts: number;
  attempt: number;
  /** The trace context the job continues (JobOptions.traceparent). */
  traceparent?: string;
  /** 'recording': being written to the journal, scheduled once it is there. */
  state: 'recording' | 'waiting' | 'delayed' | 'active';
  /** When this process took it (epoch ms): how long it has waited for outages. */
  since: number;
  /** When it is due (epoch ms), while recording: counted as delayed or waiting meanwhile. */
  dueAt?: number;
  timer?: NodeJS.Timeout;
}

/** One queue's settings and memory, shared by its operations (in-process.ts) and its runs. */
export interface QueueState {
  readonly handlers: JobRegistry;
  readonly logger: Logger;
  readonly journal: JobJournal | undefined;
  readonly backoffBaseMs: number;
  readonly concurrency: number;
  readonly failedLimit: number;
  readonly completedLimit: number;
  readonly outageRetryMs: number | undefined;
  readonly pending: Map<string, Entry>;
  readonly waiting: Entry[];
  /** Newest first. */
  readonly failedJobs: FailedJob[];
  /** Insertion order = age, for pruning. */
  readonly completed: Set<string>;
  readonly running: Set<Promise<void>>;
  closed: boolean;
  pumpScheduled: boolean;
  /**
   * Journal writes, one at a time in the order of the changes they record (a
   * job's completion never overtakes its insert). Not awaited by enqueue: a
   * reactor enqueues inside its checkpoint's transaction, and on PGlite (one
   * connection) a write awaited there would wait for that transaction forever.
   */
  journaling: Promise<void>;
}

export function record(q: QueueState, what: string, jobId: string, write: (journal: JobJournal) => Promise<unknown>): void {
  const journal = q.journal;
  if (!journal) return;
  q.journaling = q.journaling.then(() => write(journal)).then(
    () => undefined,
    (err: unknown) => q.logger.error({ jobId, error: errorMessage(err) }, `could not record a job's ${what}`),
  );
}

export function schedule(q: QueueState, entry: Entry, delayMs: number): void {
  if (delayMs > 0) {
    later(q, entry, delayMs);
  } else {
    entry.state = 'waiting';
    q.waiting.push(entry);
    schedulePump(q);
  }
}

/** The longest delay a Node timer takes; a longer one fires at once (TimeoutOverflowWarning), so it is waited for in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function later(q: QueueState, entry: Entry, delayMs: number): void {
  entry.state = 'delayed';
  const step = Math.min(delayMs, LONGEST_TIMER_MS);
  entry.timer = setTimeout(() => {
    entry.timer = undefined;
    if (delayMs > step) return later(q, entry, delayMs - step);
    entry.state = 'waiting';
    q.waiting.push(entry);
    schedulePump(q);
  }, step);
}

// setImmediate rather than a direct call: the handler must never run inside
// the caller's await (a request would otherwise wait for an SMS gateway).
function schedulePump(q: QueueState): void {
  if (q.pumpScheduled || q.closed) return;
  q.pumpScheduled = true;
  setImmediate(() => {
    q.pumpScheduled = false;
    while (!q.closed && q.running.size < q.concurrency && q.waiting.length > 0) {
      const entry = q.waiting.shift() as Entry;
      const run = execute(q, entry).finally(() => {
        q.running.delete(run);
        schedulePump(q);
      });
      q.running.add(run);
    }
  });
}

async function execute(q: QueueState, entry: Entry): Promise<void> {
  entry.state = 'active';
  const handler = handlerFor(q.handlers, entry.name);
  try {
    if (!handler) throw new Error(unknownJobMessage(entry.name));
    const info = { attempt: entry.attempt, jobId: entry.id };
    await inJobSpan(entry.name, entry.traceparent, info, () => handler(entry.data, info));
    q.pending.delete(entry.id);
    remember(q.completed, q.completedLimit, entry.id);
    record(q, 'completion', entry.id, (j) => j.completed(entry.id));
  } catch (err) {
    afterFailure(q, entry, handler !== undefined, err);
  }
}

function afterFailure(q: QueueState, entry: Entry, handled: boolean, err: unknown): void {
  const log = { jobId: entry.id, job: entry.name, attempt: entry.attempt, attempts: entry.attempts };
  const error = errorMessage(err);
  // A dependency down is no fault of the job: it waits for it without spending an attempt.
  if (handled && isOutage(err) && !q.closed && Date.now() - entry.since < OUTAGE_PATIENCE_MS) {
    const delayMs = q.outageRetryMs ?? OUTAGE_RETRY_MS;
    q.logger.warn({ ...log, error, retryInMs: delayMs }, 'job waits for an outage to end');
    record(q, 'retry', entry.id, (j) => j.retryAt(entry.id, entry.attempt, new Date(Date.now() + delayMs)));
    later(q, entry, delayMs);
    return;
  }
  // Closing: the journal keeps the next attempt for the next start.
  if (handled && entry.attempt < entry.attempts && q.closed && q.journal) {
    q.pending.delete(entry.id);
    record(q, 'retry', entry.id, (j) => j.retryAt(entry.id, entry.attempt + 1, new Date(Date.now() + backoffDelay(q.backoffBaseMs, entry.attempt))));
    return;
  }
  // A missing handler will not appear by retrying, as with BullMQ's UnrecoverableError.
  if (handled && entry.attempt < entry.attempts && !q.closed) {
    const delayMs = backoffDelay(q.backoffBaseMs, entry.attempt);
    q.logger.warn({ ...log, error, retryInMs: delayMs }, 'job attempt failed, will retry');
    entry.attempt += 1;
    record(q, 'retry', entry.id, (j) => j.retryAt(entry.id, entry.attempt, new Date(Date.now() + delayMs)));
    later(q, entry, delayMs);
    return;
  }
  q.pending.delete(entry.id);
  record(q, 'failure', entry.id, (j) => j.failed(entry.id, entry.attempt, error));
  q.failedJobs.unshift({ id: entry.id, name: entry.name, data: entry.data, attempts: entry.attempt, error, failedAt: new Date() });
  if (q.failedJobs.length > q.failedLimit) q.failedJobs.length = q.failedLimit;
  q.logger.error({ ...log, error }, 'job failed');
}

function remember(ids: Set<string>, limit: number, id: string): void {
  ids.add(id);
  if (ids.size > limit) ids.delete(ids.values().next().value as string);
}
