/**
 * Whether an error means a dependency (PostgreSQL, Redis, EventStoreDB) is
 * unreachable for now, rather than that the request or the code is wrong. The
 * API answers such errors 503 with Retry-After; processes that follow the log
 * retry them with backoff. One list, so every caller agrees on what an outage is.
 */

// SQLSTATE class 08 (connection exception), the server going away, and
// class 53 (too many connections, out of memory or disk).
const PG_OUTAGE = /^(08|53)|^57P0[1-3]$/;
// A statement that lost a race or was cut short, not a wrong one: the same
// work succeeds when tried again (serialization failure, deadlock, lock not
// available, cancelled, idle-in-transaction timeout, database dropped or idle
// session timeout, I/O error).
const PG_RETRYABLE = /^(40001|40P01|55P03|57014|25P03|57P0[45])$|^58/;
// Socket-level failures reported by Node for any of the three clients.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
// EventStoreDB's client types its gRPC failures.
const ESDB_OUTAGE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'not-leader', 'timeout']);
// Messages of errors that carry no code: pg ("Connection terminated
// unexpectedly", pool acquisition timeout, a broken client), ioredis and
// BullMQ, and this project's own bounded waits on a queue (jobs/queue.ts withTimeout).
const OUTAGE_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /^Client was closed and is not queryable/,
  /^Connection is closed\.?$/,
  /^Reached the max retries per request limit/,
  /Stream isn't writeable/,
  /^no answer within \d+ ms$/,
  /^Cannot use a pool after calling end/,
];

interface Shaped {
  code?: unknown;
  type?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

export function isOutage(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, type, message, errors, cause } = error as Shaped;
  if (typeof code === 'string' && (PG_OUTAGE.test(code) || SOCKET_CODES.has(code))) return true;
  if (typeof type === 'string' && ESDB_OUTAGE_TYPES.has(type)) return true;
  if (typeof message === 'string' && OUTAGE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Node reports a refused connection to localhost as an AggregateError (one per address tried).
  if (Array.isArray(errors) && errors.some((inner) => isOutage(inner, depth + 1))) return true;
  return cause !== undefined && isOutage(cause, depth + 1);
}

/** Seconds a client is told to wait before trying again during an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * Whether work that failed may succeed unchanged when tried again: an outage,
 * or a statement that lost a race. A projection retries these from its
 * checkpoint; anything else is an event it cannot apply (docs/projections.md).
 */
export function isTransient(error: unknown, depth = 0): boolean {
  if (isOutage(error)) return true;
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, cause } = error as Shaped;
  if (typeof code === 'string' && PG_RETRYABLE.test(code)) return true;
  return cause !== undefined && isTransient(cause, depth + 1);
}
