import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { TokenService } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { JobCounts } from '../jobs/queue.js';
import type { CommandHandler } from '../commands/handler.js';
import type { Database } from '../db/database.js';
import type { ContactStreams } from '../events/identity/contact.js';
import type { AwaitProjections } from '../projections/read-your-writes.js';
import type { ProjectionStatus } from '../projections/runner.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { CatalogedEventStore } from '../store/cataloged.js';

/** What the routes need, wired explicitly by the composition root (src/main.ts) or a test. */
export interface Dependencies {
  readonly db: Kysely<Database>;
  /** The log through the catalogue: checked, encrypted and chained on append; its `keys` are what erasure destroys. */
  readonly store: CatalogedEventStore;
  readonly handle: CommandHandler;
  readonly tokens: TokenService;
  /** Keys the HMAC of one-time codes. */
  readonly codeSecret: Buffer;
  /** Login contacts by pseudonym: their ownership streams, and the key of every table row about a destination. */
  readonly contacts: ContactStreams;
  readonly rateLimits: Config['rateLimits'];
  /** Redis for shared rate-limit counters; unset: counted in this process. */
  readonly redis: Redis | undefined;
  readonly redisPrefix: string;
  readonly awaitProjections: AwaitProjections;
  /** Normalises a phone number to E.164, or undefined when it is not a valid number. */
  readonly normalizePhone: (input: string) => string | undefined;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Readiness checks beyond the database and the event store (Redis, ...). */
  readonly readiness: Readonly<Record<string, () => Promise<void>>>;
  readonly projectionStatus: () => ProjectionStatus[];
  /** Background jobs by state; failed ones stay until inspected. */
  readonly jobCounts: () => Promise<JobCounts>;
  /** The service's public base URL (PUBLIC_URL), for links it hands out (calendar feeds); unset: the request's own. */
  readonly publicUrl?: string | undefined;
  /** This runtime's metrics registry, exposed by GET /metrics (src/observability/metrics.ts). */
  readonly metrics: ServiceMetrics;
  /** Which destinations a webhook may be registered for (docs/webhooks.md). */
  readonly webhooks: Config['webhooks'];
}

/** A plugin of routes, as every capability's src/api/<capability>/ declares them. */
export type Routes = FastifyPluginAsyncTypebox<{ deps: Dependencies }>;

/** One capability's routes, registered in the order listed (the OpenAPI document lists them so). */
export const routesOf =
  (...plugins: readonly Routes[]): Routes =>
  async (app, { deps }) => {
    for (const plugin of plugins) await app.register(plugin, { deps });
  };
