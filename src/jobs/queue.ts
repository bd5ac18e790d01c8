// The background-jobs port. Two adapters implement it: BullMQ on Redis
// (bullmq.ts) when REDIS_URL is set, and an in-process runner (in-process.ts)
// for the embedded mode. Both keep the same contract, proven by one shared
// test suite, so callers never need to know which one they were given.
//
// Job data carries ids only: the payload sits in Redis (or memory) in clear
// text and may show up in dashboards, so a handler loads phones, codes and
// addresses itself from the ids it is given.

export interface JobOptions {
  /** Dedupe key: enqueueing an id that is still known (pending, recently completed or failed) does nothing. */
  jobId?: string;
  delayMs?: number;
  /** Total tries, the first included. Default 5. */
  attempts?: number;
  /**
   * W3C trace context the job's span continues (docs/tracing.md); by
   * default the enqueuer's active span, when tracing is on. Kept beside the
   * job, not in its data.
   */
  traceparent?: string;
}

export type JobHandler<D> = (data: D, info: { attempt: number; jobId: string }) => Promise<void>;

export interface JobQueue {
  enqueue(name: string, data: Record<string, string>, options?: JobOptions): Promise<void>;
  /** Cancels a job that is not running yet (waiting, delayed or failed); a running job is left alone. */
  remove(jobId: string): Promise<void>;
  close(): Promise<void>;
}

export interface JobWorker {
  /** Resolves once the jobs in hand have finished. */
  close(): Promise<void>;
}

export interface JobRegistry {
  [name: string]: JobHandler<Record<string, string>>;
}

export interface FailedJob {
  id: string;
  name: string;
  data: Record<string, string>;
  attempts: number;
  error: string;
  failedAt: Date;
}

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Where the adapter keeps finished jobs (BullMQ, by its retention); absent otherwise. */
  completed?: number;
}

/** What metrics and /health read: a job that gave up must be visible, not silent. */
export interface JobInspector {
  /** Newest first, at most `limit` (default 100). */
  failed(limit?: number): Promise<FailedJob[]>;
  counts(): Promise<JobCounts>;
}

export type InspectableJobQueue = JobQueue & JobInspector;

/** The subset of pino (and FastifyBaseLogger) this module uses, so tests can pass a recorder. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_BASE_MS = 1000;
/** A job that met an outage (store/outages.ts) runs again this much later, without spending an attempt. */
export const OUTAGE_RETRY_MS = 5000;
/**
 * For this long after it was enqueued: past it, an outage spends attempts as any
 * failure does, so a gateway that is never coming back ends in the failed list.
 */
export const OUTAGE_PATIENCE_MS = 3_600_000;

/** BullMQ's exponential strategy, reproduced so both adapters wait alike: base, 2*base, 4*base... */
export function backoffDelay(baseMs: number, failedAttempt: number): number {
  return Math.round(2 ** (failedAttempt - 1) * baseMs);
}

// BullMQ refuses these ids (integers clash with its own counter, ':' with its
// key layout). The in-process adapter refuses them too, so that code tested in
// embedded mode does not break the day REDIS_URL is set.
export function assertJobId(jobId: string): void {
  if (jobId === '' || `${parseInt(jobId, 10)}` === jobId || jobId.includes(':')) {
    throw new Error(`invalid job id "${jobId}": use a non-empty, non-integer id without ":"`);
  }
}

/** Own properties only: a job named "toString" must not find Object.prototype.toString. */
export function handlerFor(handlers: JobRegistry, name: string): JobHandler<Record<string, string>> | undefined {
  return Object.hasOwn(handlers, name) ? handlers[name] : undefined;
}

export function unknownJobMessage(name: string): string {
  return `no handler registered for job "${name}"`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Rejects when `work` takes longer than `ms`: a queue whose Redis is down waits forever otherwise. */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
