import { destination, pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Credentials are redacted wherever they could appear;
 * the event log and the jobs never carry them in the first place.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refresh', '*.access', '*.token', '*.code'],
        censor: '[redacted]',
      },
    },
    // Written off the event loop, several lines per write under load, instead of
    // one blocking write per line; pino flushes what is left when the process exits.
    destination({ dest: 1, sync: false }),
  );
}
