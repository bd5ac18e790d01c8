import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Credentials are redacted wherever they could appear;
 * the event log and the jobs never carry them in the first place.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refresh', '*.access', '*.token', '*.code'],
      censor: '[redacted]',
    },
  });
}
