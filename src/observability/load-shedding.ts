import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config.js';

/** What a shed request is told to wait: long enough for a stall to pass, short enough not to lose the caller. */
export const SHED_RETRY_AFTER_SECONDS = 10;

/**
 * Always answered, even under pressure: liveness, because a stall must not get
 * the process restarted by its probe (it recovers by itself), and the scrape,
 * because it is how the stall is seen. Readiness is shed: a 503 there takes
 * the instance out of the load balancer until it recovers, which is the point.
 */
const ALWAYS_ANSWERED: ReadonlySet<string> = new Set(['/health/live', '/metrics']);
/** Readiness keeps its own documented shape (src/api/health.ts), with the status saying why. */
const READINESS = '/health/ready';

/**
 * While the event loop's mean delay over a sample window exceeds the limit,
 * requests are answered 503 with Retry-After and `{ detail }` at once, before
 * any work (authentication, body parsing) is spent on them.
 */
export async function shedLoadWhenStalled(app: FastifyInstance, settings: Config['loadShedding'], registry: Registry): Promise<void> {
  if (settings.maxEventLoopDelayMs <= 0) return;
  const shed = new Counter({ name: 'http_requests_shed_total', help: 'Requests answered 503 at once because the event loop was stalled', registers: [registry] });
  await app.register(underPressure, {
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    sampleInterval: settings.sampleIntervalMs,
    retryAfter: SHED_RETRY_AFTER_SECONDS,
    pressureHandler(request, reply) {
      const route = request.routeOptions.url ?? '';
      if (ALWAYS_ANSWERED.has(route)) return;
      shed.inc();
      // Sent here, the request goes no further (Fastify stops once a hook has replied).
      void reply
        .code(503)
        .header('retry-after', String(SHED_RETRY_AFTER_SECONDS))
        .send(route === READINESS ? { status: 'overloaded', checks: {}, projections: [], jobs: null } : { detail: `The server is busy; try again in ${SHED_RETRY_AFTER_SECONDS} seconds.` });
    },
  });
}
