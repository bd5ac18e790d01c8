import closeWithGrace from 'close-with-grace';
import { compose } from './compose.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const runtime = await compose(config, logger);

  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, let projectors
  // commit the batch in hand, then close the stores.
  closeWithGrace({ delay: 15_000, logger }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await runtime.close();
    logger.info('stopped');
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
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
