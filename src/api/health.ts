import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import Type from 'typebox';
import { withTimeout } from '../jobs/queue.js';
import { holdsOpsToken } from './ops-access.js';
import type { Dependencies } from './dependencies.js';

const JobCounts = Type.Object({ waiting: Type.Integer(), active: Type.Integer(), delayed: Type.Integer(), failed: Type.Integer() });
const Readiness = (checks: Type.TSchema) =>
  Type.Object({ status: Type.String(), checks, projections: Type.Array(Type.Unknown()), jobs: Type.Union([JobCounts, Type.Null()]) });

const Check = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('down')]), error: Type.Optional(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies; opsToken: string | undefined }> = async (app, { deps, opsToken }) => {
  app.get(
    '/health/live',
    { schema: { tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const })
  );

  // Ready when every store answers. Projections and jobs are reported, not
  // gated on: a failing one shows here and in the logs while the API serves.
  app.get('/health/ready', {
    schema: {
      tags: ['operations'],
      response: {
        '2xx': Readiness(Type.Record(Type.String(), Check)),
        503: Readiness(Type.Record(Type.String(), Check)),
      },
    },
  }, async (request, reply) => {
    const probes: Record<string, () => Promise<unknown>> = {
      database: () => sql`select 1`.execute(deps.db),
      event_store: () => deps.store.ping(),
      ...deps.readiness,
    };
    const checks: Record<string, { status: 'ok' | 'down'; error?: string }> = {};
    await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        try {
          await withTimeout(probe(), 2000);
          checks[name] = { status: 'ok' };
        } catch (error) {
          request.log.warn({ check: name, err: error }, 'readiness check failed');
          checks[name] = { status: 'down', error: error instanceof Error ? error.message : 'failed' };
        }
      }),
    );
    const ready = Object.values(checks).every((c) => c.status === 'ok');
    const status = ready ? 'ready' : 'not ready';
    // Without OPS_TOKEN the answer is up or down per component: error texts (SQL, a projection's last error) and queue sizes are the operator's.
    if (!holdsOpsToken(request, opsToken)) {
      const bare = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, { status: check.status }]));
      const projections = deps.projectionStatus().map((p) => ({ name: p.name, state: p.state }));
      return reply.code(ready ? 200 : 503).send({ status, checks: bare, projections, jobs: null });
    }
    // Failed jobs and failing projections are shown, not hidden: they need a person.
    const jobs = await withTimeout(deps.jobCounts(), 2000).catch(() => null);
    return reply.code(ready ? 200 : 503).send({ status, checks, projections: deps.projectionStatus(), jobs });
  });
};
