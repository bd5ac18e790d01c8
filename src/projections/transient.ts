// Whether a failure to apply a batch is the database's (gone, restarting,
// overloaded, a lock race): retried as it is, from the checkpoint. Anything
// else is the batch's: one of its events cannot be applied, however often it
// is tried (docs/projections.md, "Events a projection cannot apply").

/** SQLSTATE classes and codes of a database that cannot answer now, not of a statement that is wrong. */
const TRANSIENT_STATES = [
  /^08/, // connection exception
  /^53/, // insufficient resources (too many connections, out of memory or disk)
  /^57P0[1-5]$/, // admin shutdown, crash shutdown, cannot connect now, database dropped, idle session timeout
  /^57014$/, // query cancelled (statement timeout, pg_cancel_backend)
  /^58/, // system error (I/O)
  /^40001$/, // serialization failure
  /^40P01$/, // deadlock detected
  /^55P03$/, // lock not available
  /^25P03$/, // idle in transaction session timeout
];

/** Node's socket errors: nothing reached the database. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/** What the pg driver and pool say, without a code, when a connection is lost or cannot be had. */
const DRIVER_MESSAGES = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|cannot use a pool after calling end|client was closed|socket|connection .*closed/i;

export function isTransient(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== 'object') break;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (SOCKET_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_STATES.some((state) => state.test(code));
    }
    // An AggregateError (a connect to every address of a host failed) is transient when its parts are.
    const parts = (e as { errors?: unknown }).errors;
    if (Array.isArray(parts) && parts.length > 0 && parts.every(isTransient)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
  }
  return false;
}
