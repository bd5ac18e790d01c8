import { writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { EmbeddedDatabaseLocked, LOCKED_EXIT_CODE, lockEmbeddedDatabase, type HeldLock } from './cli/lock.js';
import { compose, type Runtime } from './compose.js';
import { ConfigError, loadConfig } from './config.js';
import { armExitDeadline } from './exit-deadline.js';
import { createLogger, logsWritten } from './logger.js';
import { isOutage } from './store/outages.js';
import { startTracing } from './observability/tracing.js';

/** From SIGTERM (or SIGINT) to a process that is gone, whatever happens. */
const GRACE_MS = 15_000;
/** Of which the last log lines may take this much. */
const LOG_FLUSH_MS = 1_000;

/** To stderr without a stream: nothing to fail later, asynchronously, on a closed pipe. */
function complain(text: string): void {
  try {
    writeSync(2, `${text}\n`);
  } catch {
    // Nobody is reading: the exit code still says it.
  }
}

/** A dependency still starting (or restarting) when this process starts is waited for, with backoff, not fatal. */
async function composeWhenReachable(config: ReturnType<typeof loadConfig>, logger: Logger): Promise<Runtime> {
  for (let failures = 0; ; failures++) {
    try {
      return await compose(config, logger);
    } catch (error) {
      if (!isOutage(error)) throw error;
      const retryInMs = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
      logger.warn({ err: error, retryInMs }, 'a dependency is unreachable at start; trying again');
      await sleep(retryInMs);
    }
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      complain(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // The embedded database is one process's at a time (src/cli/lock.ts); PostgreSQL is anyone's.
  let lock: HeldLock | undefined;
  if (!config.databaseUrl) {
    try {
      lock = await lockEmbeddedDatabase(config.dataDir, 'npm start');
    } catch (error) {
      if (!(error instanceof EmbeddedDatabaseLocked)) throw error;
      complain(error.message);
      process.exit(LOCKED_EXIT_CODE);
    }
  }
  // Before anything is composed: the store, projectors and queues decide once, when built, whether to trace.
  const tracing = await startTracing(config.tracing);
  const runtime = await composeWhenReachable(config, logger);

  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, let projectors
  // commit the batch in hand, then close the stores. Past the grace period the
  // process is ended anyway, even if its main thread is stuck.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void armExitDeadline(GRACE_MS));
  closeWithGrace({ delay: GRACE_MS - LOG_FLUSH_MS - 1_000, logger }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await runtime.close();
    await lock?.release();
    // The spans of the last requests and jobs, before the process goes.
    await tracing.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'could not export the last spans'));
    logger.info('stopped');
    await logsWritten(logger, LOG_FLUSH_MS);
  });

  if (runtime.app) await runtime.app.listen({ host: config.host, port: config.port });
  logger.info(
    {
      role: config.role,
      database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`,
      eventStore: config.eventStoreUrl ? 'eventstoredb' : 'database',
      jobs: config.redisUrl ? 'bullmq' : 'in process',
    },
    'service started',
  );
}

main().catch((error: unknown) => {
  complain(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
