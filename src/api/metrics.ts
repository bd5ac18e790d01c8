import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram } from 'prom-client';
import { passwordWork, passwordWorkDone } from '../auth/passwords.js';
import { withTimeout } from '../jobs/queue.js';
import { NOT_AUTHENTICATED } from './errors.js';
import { holdsOpsToken } from './ops-access.js';
import type { Dependencies } from './dependencies.js';
import { webhookDeliveriesTotal } from '../workflows/webhooks/metrics.js';

/** One queue carries every job, whichever adapter runs it (BullMQ's queue `jobs`, or the same in memory). */
const JOB_QUEUE = 'jobs';

/**
 * Prometheus metrics at GET /metrics: HTTP latency by route, each
 * projection's state and failures, background jobs by queue and state (a
 * failed job or a stuck projection shows here, not only in the logs), and
 * Node's own. The registry is the runtime's (src/observability/metrics.ts):
 * what is measured outside HTTP (appends, projection lag) is registered there
 * by the composition root; this plugin adds what HTTP and the deps show.
 */
export const metrics = fp<{ deps: Dependencies; opsToken: string | undefined }>(
  async (app: FastifyInstance, { deps, opsToken }) => {
    const { registry } = deps.metrics;

    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const errors = new Counter({ name: 'http_server_errors_total', help: 'Replies with a 5xx status', registers: [registry] });

    new Gauge({
      name: 'projection_running',
      help: '1 when the projection follows the log, 0 when it is failing or stopped',
      labelNames: ['projection'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const p of deps.projectionStatus()) this.set({ projection: p.name }, p.state === 'running' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'projection_consecutive_failures',
      help: 'Failures since the projection last applied a batch',
      labelNames: ['projection'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const p of deps.projectionStatus()) this.set({ projection: p.name }, p.failures);
      },
    });
    new Gauge({
      name: 'projection_parked_events',
      help: 'Events the projection could not apply and set aside (npm run cli -- projections parked)',
      labelNames: ['projection'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const p of deps.projectionStatus()) this.set({ projection: p.name }, p.parked);
      },
    });
    new Gauge({
      name: 'jobs',
      help: 'Background jobs by queue and state (waiting, active, delayed, failed, and completed where the adapter keeps them); failed ones stay until inspected',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const counts = await withTimeout(deps.jobCounts(), 2000).catch(() => undefined);
        if (!counts) return;
        for (const [state, count] of Object.entries(counts)) if (count !== undefined) this.set({ queue: JOB_QUEUE, state }, count);
      },
    });

    // Instruments defined elsewhere join this runtime's registry here, one line each.
    registry.registerMetric(webhookDeliveriesTotal);

    new Gauge({
      name: 'password_hashing',
      help: 'argon2id hashes and verifications running, and waiting for a core',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        this.set({ state: 'running' }, passwordWork.activeCount);
        this.set({ state: 'waiting' }, passwordWork.pendingCount);
      },
    });
    new Counter({
      name: 'password_work_total',
      help: 'argon2id hashes and verifications run since the process started',
      labelNames: ['kind'] as const,
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ kind: 'hash' }, passwordWorkDone.hashes);
        this.inc({ kind: 'verification' }, passwordWorkDone.verifications);
      },
    });

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      if (reply.statusCode >= 500) errors.inc();
    });

    // With OPS_TOKEN set, only its holder scrapes; without, the metrics are open (they carry counts and names, never an error text).
    app.get('/metrics', {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (with OPS_TOKEN set: `Authorization: Bearer <OPS_TOKEN>`)',
        hide: false,
        // Open without OPS_TOKEN; with it, only its holder scrapes (`opsToken` scheme, src/api/app.ts).
        security: [{}, { opsToken: [] }],
        response: {
          200: {
            description: 'The Prometheus text exposition format, version 0.0.4.',
            content: {
              'text/plain; version=0.0.4; charset=utf-8': {
                schema: { type: 'string' },
                example: '# HELP http_request_duration_seconds HTTP request duration by route and status\n# TYPE http_request_duration_seconds histogram\n' +
                  'http_request_duration_seconds_bucket{le="0.05",method="GET",route="/api/v1/clients/me",status="200"} 12\n',
              },
            },
          },
          401: { $ref: 'Error' },
        },
      },
    }, async (request, reply) => {
      if (opsToken !== undefined && !holdsOpsToken(request, opsToken)) return reply.code(401).header(
        'www-authenticate',
        'Bearer'
      ).send({ detail: NOT_AUTHENTICATED });
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'metrics' },
);
