import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from './api/app.js';
import { phoneNormalizer } from './api/phone.js';
import type { Dependencies } from './api/dependencies.js';
import { loadSigningKeys } from './auth/keys.js';
import { limitPasswordQueue } from './auth/passwords.js';
import { loadSecret } from './auth/secrets.js';
import { createTokenService } from './auth/tokens.js';
import { createCommandHandler } from './commands/handler.js';
import { migrateToTrustModel } from './workflows/clients/migrate-trust-model.js';
import { openContactStreams } from './workflows/identity/contact-index.js';
import { pseudonymiseContactStreams } from './workflows/identity/migrate-contact-streams.js';
import type { Config } from './config.js';
import { connect, type Connection } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { createBullQueue, startBullWorker } from './jobs/bullmq.js';
import { consoleEmail, smtpEmail, type EmailSender } from './jobs/providers/email.js';
import { consoleSms, httpSms, type SmsSender } from './jobs/providers/sms.js';
import { createInProcessJobs } from './jobs/in-process.js';
import { jobJournal } from './jobs/job-journal.js';
import type { InspectableJobQueue, JobRegistry, JobWorker } from './jobs/queue.js';
import { capabilities } from './capabilities.js';
import { catalogueOf } from './events/catalogue.js';
import { catalogedEventStore, type CatalogedEventStore } from './store/cataloged.js';
import { personalKeys } from './store/personal-keys.js';
import { startPeriodic } from './workflows/periodic.js';
import type { Projection } from './projections/projection.js';
import { createAwaitProjections } from './projections/read-your-writes.js';
import { ProjectionRunner } from './projections/runner.js';
import type { EventStore } from './store/port.js';
import { createPostgresEventStore } from './store/postgres.js';
import { createServiceMetrics } from './observability/metrics.js';
import { projectionLagMetrics } from './observability/metrics-lag.js';
import { readingLogDistance } from './store/log-distance.js';
import { measuredAppends, type AppendObserver } from './store/measured.js';
import { postgresLogDistance } from './store/postgres-distance.js';

/** Every read model, in the order they are started and rebuilt. */
export const projections: readonly Projection[] = capabilities.flatMap((c) => c.projections);

/** Every capability's events: what may be appended, and how old events read today. */
export const eventCatalogue = catalogueOf(capabilities.map((c) => c.events));

export interface Runtime {
  readonly config: Config;
  readonly connection: Connection;
  readonly store: EventStore;
  readonly deps: Dependencies;
  readonly runners: readonly ProjectionRunner[];
  readonly jobs: InspectableJobQueue;
  /** The HTTP API, when this process has the api role. */
  readonly app: FastifyInstance | undefined;
  /** Stops in order: HTTP (in-flight requests finish), projectors at a checkpoint, workers, stores. */
  close(): Promise<void>;
}

const has = (config: Config, role: 'api' | 'projector' | 'worker') => config.role === 'all' || config.role === role;

function smsSender(config: Config, logger: FastifyBaseLogger): SmsSender {
  return config.sms.provider === 'http' ? httpSms({ url: config.sms.url, bodyTemplate: config.sms.bodyTemplate, ...(config.sms.authHeader ? { authHeader: config.sms.authHeader } : {}) }) : consoleSms(logger);
}

function emailSender(config: Config, logger: FastifyBaseLogger): EmailSender {
  return config.email.provider === 'smtp' ? smtpEmail({ url: config.email.url, from: config.email.from }) : consoleEmail(logger);
}

export function openDatabase(config: Config): Connection {
  return config.databaseUrl
    ? connect({ kind: 'postgres', url: config.databaseUrl })
    : connect({ kind: 'pglite', dataDir: join(config.dataDir, 'pglite') });
}

// The EventStoreDB client (gRPC) costs about 25 MB of memory: loaded only when used.
// Whichever adapter holds the log, appends are checked, encrypted and chained, and reads decrypted and upcast.
// With `appends`, every append is timed and counted (src/store/measured.ts).
export async function openEventStore(config: Config, connection: Connection, appends?: AppendObserver): Promise<CatalogedEventStore> {
  const measured = (store: CatalogedEventStore) => (appends ? measuredAppends(store, appends) : store);
  if (!config.eventStoreUrl) return measured(catalogedEventStore(createPostgresEventStore(connection.db), eventCatalogue, personalKeys(connection.db)));
  const { createEsdbEventStore } = await import('./store/esdb.js');
  return measured(catalogedEventStore(createEsdbEventStore(config.eventStoreUrl), eventCatalogue, personalKeys(connection.db)));
}

/**
 * The composition root: wires stores, command handling, projections, jobs
 * and the API for this process's role. Nothing listens yet; main.ts does.
 */
export async function compose(config: Config, logger: FastifyBaseLogger, overrides: Partial<Pick<Dependencies, 'now' | 'newId'>> = {}): Promise<Runtime> {
  const connection = openDatabase(config);
  const { db } = connection;
  // The first use of the database: if it is unreachable, nothing is left open for the caller to retry.
  const applied = await migrateToLatest(db).catch(async (error: unknown) => {
    await db.destroy().catch(() => undefined);
    throw error;
  });
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  const metrics = createServiceMetrics();
  const store = await openEventStore(config, connection, metrics.appends);

  const now = overrides.now ?? (() => new Date());
  limitPasswordQueue(config.passwordHashQueue);
  const codeSecret = await loadSecret({ configured: config.codeSecret, file: join(config.dataDir, 'keys', 'code-secret') });
  const contacts = await openContactStreams(store.keys);

  // The worker's handlers; in embedded mode the in-process queue is the worker.
  const handlers: JobRegistry = {};
  if (has(config, 'worker') || !config.redisUrl) {
    const context = { db, store, config, codeSecret, contacts, sms: smsSender(config, logger), email: emailSender(config, logger), now, logger };
    for (const { processes } of capabilities) Object.assign(handlers, processes?.jobs(context));
  }
  let worker: JobWorker | undefined;
  let redis: Redis | undefined;
  let jobs: InspectableJobQueue;
  if (config.redisUrl) {
    jobs = createBullQueue({ connection: config.redisUrl, prefix: config.redisPrefix, backoffBaseMs: config.jobBackoffMs, logger });
    if (has(config, 'worker')) worker = startBullWorker({ connection: config.redisUrl, prefix: config.redisPrefix, handlers, logger });
    // Rate limits and readiness: while Redis is unreachable a command fails at
    // once (rate limits then step aside, readiness says 503) instead of waiting for a reconnection.
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
    // Connected before the first request when Redis is up; not waited for when it is down.
    const client = redis;
    await new Promise<void>((resolve) => {
      client.once('ready', resolve);
      client.once('error', () => resolve());
    });
  } else {
    // Kept in the database beside the data, resumed at start; only where reactors
    // enqueue (the projector), so two processes never resume the same jobs.
    const inProcess = createInProcessJobs({ handlers, logger, backoffBaseMs: config.jobBackoffMs, ...(has(config, 'projector') ? { journal: jobJournal(db) } : {}) });
    await inProcess.resume();
    jobs = inProcess;
  }

  const projectorContext = { jobs, store, config, now, logger };
  const runners = has(config, 'projector')
    ? [...projections, ...capabilities.flatMap((c) => c.processes?.reactors(projectorContext) ?? [])].map((p) => new ProjectionRunner(db, store, p, logger.child({ projection: p.name })))
    : [];
  // Measured on scrape: PostgreSQL counts on its index; EventStoreDB reads ahead, up to a limit (docs/observability.md).
  projectionLagMetrics(metrics.registry, () => runners.map((r) => r.status()), config.eventStoreUrl ? readingLogDistance(store.raw, () => new Date()) : postgresLogDistance(db));

  const keys = await loadSigningKeys({ privateJwk: config.jwt.privateJwk, dataDir: config.dataDir });
  const tokens = createTokenService({ keys, issuer: config.jwt.issuer, audience: config.jwt.audience, accessTtlSeconds: config.jwt.accessTtlSeconds, now });
  const deps: Dependencies = {
    db,
    store,
    handle: createCommandHandler(store),
    tokens,
    codeSecret,
    contacts,
    rateLimits: config.rateLimits,
    redis,
    redisPrefix: config.redisPrefix,
    awaitProjections: createAwaitProjections(db, runners, config.readYourWritesTimeoutMs),
    normalizePhone: phoneNormalizer(config.phoneDefaultRegion),
    now,
    newId: overrides.newId ?? randomUUID,
    readiness: redis ? { redis: async () => void (await redis.ping()) } : {},
    projectionStatus: () => runners.map((r) => r.status()),
    jobCounts: () => jobs.counts(),
    publicUrl: config.publicUrl,
    metrics,
    webhooks: config.webhooks,
  };

  // Data written before the trust model moves into it once, before projectors follow the log.
  if (has(config, 'projector') && (await migrateToTrustModel({ log: store.recorded, store, handle: deps.handle, contacts, now }))) logger.info('existing clients moved to the trust model (docs/trust-model.md)');
  const moved = has(config, 'projector') ? await pseudonymiseContactStreams({ log: store.recorded, store, contacts, now }) : undefined;
  if (moved !== undefined) logger.info({ moved }, 'login contact ownership moved to pseudonymous streams (docs/privacy.md)');
  const app = has(config, 'api') ? await buildApp(deps, { logger, trustProxy: config.trustProxy, corsOrigins: config.corsOrigins, compatProfiles: config.compatProfiles, opsToken: config.opsToken, loadShedding: config.loadShedding }) : undefined;
  for (const runner of runners) runner.start();
  const periodic = startPeriodic(has(config, 'projector') ? capabilities.flatMap((c) => c.processes?.periodic?.(projectorContext) ?? []) : [], logger);

  return {
    config,
    connection,
    store,
    deps,
    runners,
    jobs,
    app,
    async close() {
      await app?.close();
      await Promise.all([...runners.map((r) => r.stop()), periodic.stop()]);
      await worker?.close();
      await jobs.close();
      redis?.disconnect();
      await store.close();
      await db.destroy();
    },
  };
}
