import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { accessControl } from './access.js';
import { authentication } from './authenticate.js';
import { frameworkErrors, registerErrorHandling } from './errors.js';
import { securityHeaders } from './security-headers.js';
import { healthRoutes } from './health.js';
import { metrics } from './metrics.js';
import { shedLoadWhenStalled } from '../observability/load-shedding.js';
import type { Config } from '../config.js';
import { wellKnownRoutes } from './identity/sessions.js';
import { capabilities } from '../capabilities.js';
import { ErrorReply, INPUT_RULES } from './schemas.js';
import { sharedSchemas } from './openapi/components.js';
import { transform, transformObject } from './openapi/document.js';
import { strictInput } from './validation.js';
import type { Dependencies } from './dependencies.js';
import { compatTags, registerCompat } from './compat/index.js';
import { COMPAT_SEEDS, type CompatSeed } from '../config/http.js';
import { traceRequests } from '../observability/http-tracing.js';

// A hop count trusts that many proxies nearest to this server, as proxy-addr counts them.
function trustProxyOption(trust: boolean | number | readonly string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'boolean' ? trust : [...trust];
}

/** One info line per request, when it completes, with what was asked; the arrival is at debug. */
class RequestLogs extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AppOptions {
  /** The process's pino logger; none in tests unless they ask. */
  readonly logger?: FastifyBaseLogger;
  /** Proxies whose X-Forwarded-For gives the client's address (see Config.trustProxy). */
  readonly trustProxy?: boolean | number | readonly string[];
  /** Browser origins allowed to call the API (Config.corsOrigins); none: no CORS headers. */
  readonly corsOrigins?: readonly string[];
  /** The seed documents whose own APIs are served under /compat/ (Config.compatProfiles); all unless given. */
  readonly compatProfiles?: readonly CompatSeed[];
  /** Shows error details in /health/ready and guards /metrics (Config.opsToken). */
  readonly opsToken?: string | undefined;
  /** When to answer 503 at once because the event loop stalls (Config.loadShedding); unset: never. */
  readonly loadShedding?: Config['loadShedding'];
}

// What a browser frontend sends and may read; bearer tokens, not cookies, so no credentials mode.
const CORS_HEADERS = {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'x-correlation-id'],
  exposedHeaders: ['retry-after', 'x-request-id', 'location'],
  maxAge: 600,
};

/** The HTTP API as one Fastify instance; src/main.ts listens, tests inject. */
export async function buildApp(deps: Dependencies, options: AppOptions = {}): Promise<FastifyInstance> {
  const compatProfiles = options.compatProfiles ?? COMPAT_SEEDS;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // A caller's request id is kept when it looks like one, so logs join across deps.
    genReqId: (request) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    requestIdHeader: false,
    trustProxy: trustProxyOption(options.trustProxy ?? false),
    logController: new RequestLogs(),
    bodyLimit: 64 * 1024,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First of all hooks: a server span per request (tracing on), trace ids on the request's log lines.
  traceRequests(app);

  // Before any route: closed schemas, bodies as sent, storable text, lower-case ids (src/api/validation.ts).
  strictInput(app, { isPhone: (value) => deps.normalizePhone(value) !== undefined });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // A stalled event loop sheds requests with 503 + Retry-After before any work is spent on them (src/observability/load-shedding.ts).
  if (options.loadShedding) await shedLoadWhenStalled(app, options.loadShedding, deps.metrics.registry);

  // During a graceful shutdown, answers to in-flight requests also close their
  // keep-alive connections, so close() does not wait on idle clients.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // JSON only: every other body type is refused with 415 (see errors.ts).
  app.removeContentTypeParser('text/plain');

  registerErrorHandling(app);
  app.addSchema(ErrorReply);
  // The resources, named for the OpenAPI document (src/api/openapi/components.ts).
  for (const schema of sharedSchemas()) app.addSchema(schema);

  securityHeaders(app);
  // Off unless CORS_ORIGINS names origins: then only those get CORS headers, others none.
  if (options.corsOrigins && options.corsOrigins.length > 0) await app.register(cors, { origin: [...options.corsOrigins], ...CORS_HEADERS });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Service booking API',
        version: '1',
        // package.json: private, no licence granted; npm's word for that, and where npm says what it means.
        license: { name: 'UNLICENSED', url: 'https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license' },
        description: [
          'Who owns what (docs/trust-model.md):',
          '- A person’s **account** (`/clients/me`, `/users/me`) is theirs: its password, login phone and email change only with `current_password` or a `code` from `POST /auth/reauthenticate`. An unverified phone or email gives no right; whoever verifies it owns it.',
          '- An organization’s **client record** (`/organizations/{org}/clients`, `/clients/{record}`) is that organization’s alone; adding a client by phone always creates a record (201) and tells nothing about accounts.',
          '- The **link** between a record and an account is made only by the person (booking while signed in, or `POST /clients/me/links/{record}/accept`).',
          '- Staff join organizations by invitation; a client booking for themself never sets the price.',
          '',
          INPUT_RULES,
        ].join('\n'),
      },
      // Relative: the document describes whichever host serves it.
      servers: [{ url: '/', description: 'This service' }],
      tags: [
        { name: 'identity', description: 'A person registers and verifies their phone.' },
        { name: 'sessions', description: 'Sign in, refresh, sign out, re-authenticate.' },
        { name: 'clients', description: 'Your own account (clients), or your organization’s records (staff).' },
        { name: 'links', description: 'The person links organizations’ records of them to their account.' },
        ...compatTags(compatProfiles),
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          opsToken: { type: 'http', scheme: 'bearer', description: 'The OPS_TOKEN setting, for /metrics and the details of /health/ready.' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    // Named resources, operationIds, refusals, descriptions and examples, the same for every route (src/api/openapi/document.ts).
    transform,
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Off by default; routes that send codes or check secrets opt in (src/api/rate-limits.ts).
  await app.register(rateLimit, {
    global: false,
    ...(deps.redis ? { redis: deps.redis, nameSpace: `${deps.redisPrefix}:rate-limit:` } : {}),
    // A Redis outage must not take logins down; per-phone and per-account limits live in the database.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many requests; try again in ${Math.ceil(context.ttl / 1000)} seconds.`), { statusCode: 429 }),
  });

  await app.register(authentication, { deps });
  // Before every route: each /api/ route's `config.access` is enforced here (src/api/access.ts).
  await app.register(accessControl, { deps });
  await app.register(healthRoutes, { deps, opsToken: options.opsToken });
  await app.register(metrics, { deps, opsToken: options.opsToken });
  await app.register(wellKnownRoutes, { deps });
  await app.register(
    async (api) => {
      for (const capability of capabilities) await api.register(capability.routes, { deps });
    },
    { prefix: '/api/v1' },
  );
  // The few capability routes outside /api/v1 (a calendar feed's URL); access is declared and enforced as under /api/.
  for (const capability of capabilities) if (capability.rootRoutes) await app.register(capability.rootRoutes, { deps });
  // The seeds' own APIs, each in its own scope and error format (docs/compat.md).
  await registerCompat(app, deps, compatProfiles);
  return app;
}
