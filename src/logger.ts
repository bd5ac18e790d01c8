import { writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { destination, pino, type Logger } from 'pino';
import { traceLogMixin } from './observability/log-tracing.js';

// sonic-boom's state, read to tell whether lines are still on their way. Its
// fields are private: if a release renames them, the destination counts as
// busy, and exit merely skips writing the last lines.
interface Destination {
  _writing?: boolean;
  _len?: number;
  _bufs?: unknown[];
}

const STDOUT = 1;
const destinations = new WeakMap<Logger, ReturnType<typeof destination>>();

/**
 * Structured JSON logs. Credentials are redacted wherever they could appear;
 * the event log and the jobs never carry them in the first place.
 */
export function createLogger(level: string): Logger {
  // Written off the event loop, several lines per write under load, instead of
  // one blocking write per line.
  const dest = destination({ dest: STDOUT, sync: false });
  // A write that fails (EPIPE: whoever read our output is gone) ends logging, never the process.
  dest.on('error', () => {
    dest.write = () => true;
    dest.flushSync = () => undefined;
  });
  // pino flushes synchronously when the process exits. sonic-boom's flush
  // retries forever on a closed pipe, and blocks in the kernel on a pipe
  // nobody reads: the process would never exit. So at exit, only lines waiting
  // behind nothing are written, once, and a failure drops them.
  dest.flushSync = () => {
    const state = dest as unknown as Destination;
    if (state._writing !== false || !Array.isArray(state._bufs)) return;
    try {
      for (const buffered of state._bufs) {
        if (typeof buffered === 'string') writeSync(STDOUT, buffered);
        else if (Buffer.isBuffer(buffered)) writeSync(STDOUT, buffered);
      }
    } catch {
      // The destination is gone or full: these lines cannot be delivered.
    }
    state._bufs.length = 0;
  };
  const logger = pino(
    {
      level,
      // trace_id and span_id on lines written inside a span (tracing on; docs/tracing.md).
      mixin: traceLogMixin,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refresh', '*.access', '*.token', '*.code'],
        censor: '[redacted]',
      },
    },
    dest,
  );
  destinations.set(logger, dest);
  return logger;
}

/**
 * Resolves once the lines logged so far are written, or after `withinMs` if the
 * destination does not take them (a full pipe): the last lines before exit
 * should arrive, but must never hold the process.
 */
export async function logsWritten(logger: Logger, withinMs: number): Promise<void> {
  const state = destinations.get(logger) as Destination | undefined;
  if (!state) return;
  const deadline = Date.now() + withinMs;
  while ((state._writing !== false || (state._len ?? 1) > 0) && Date.now() < deadline) await sleep(5, undefined, { ref: false });
}
