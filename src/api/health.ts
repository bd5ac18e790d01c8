import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import Type from 'typebox';
import { withTimeout } from '../jobs/queue.js';
import { holdsOpsToken } from './ops-access.js';
import { errorReplies } from './schemas.js';
import type { Dependencies } from './dependencies.js';

const JobCounts = Type.Object({ waiting: Type.Integer(), active: Type.Integer(), delayed: Type.Integer(), failed: Type.Integer() });
const Readiness = (checks: Type.TSchema, description: string) =>
  Type.Object(
    {
      status: Type.String({ description: '`ready` or `not ready`.' }),
      checks,
      projections: Type.Array(Type.Unknown(), { description: 'Each read model and reactor: name and state (and, for the OPS_TOKEN holder, position and last error).' }),
      jobs: Type.Union([JobCounts, Type.Null()], { description: 'Jobs by state, for the OPS_TOKEN holder; null for anyone else.' }),
    },
    {
      description,
      examples: [{ status: 'ready', checks: { database: { status: 'ok' }, event_store: { status: 'ok' } }, projections: [{ name: 'client-records', state: 'running' }], jobs: null }],
    },
  );
/** Anyone may ask; the holder of OPS_TOKEN (`opsToken` scheme, src/api/app.ts) is told more. */
const OPS_OPTIONAL: Record<string, string[]>[] = [{}, { opsToken: [] }];
/** No query parameter: one sent is refused (400), as on every operation (src/api/validation.ts). */
const NoQuery = Type.Object({});

const Check = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('down')]), error: Type.Optional(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies; opsToken: string | undefined }> = async (app, { deps, opsToken }) => {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers (public).',
        security: [],
        querystring: NoQuery,
        response: { 200: Type.Object({ status: Type.Literal('ok') }, { description: 'The process is alive.', examples: [{ status: 'ok' }] }), ...errorReplies(400) },
      },
    },
    async () => ({ status: 'ok' as const })
  );

  // Ready when every store answers. Projections and jobs are reported, not
  // gated on: a failing one shows here and in the logs while the API serves.
  app.get('/health/ready', {
    schema: {
      tags: ['operations'],
      summary: 'Readiness: every store answers; projections and jobs reported (error texts and job counts only with OPS_TOKEN).',
      security: OPS_OPTIONAL,
      response: {
        '2xx': Readiness(Type.Record(Type.String(), Check), 'Ready: every store answers.'),
        503: Readiness(Type.Record(Type.String(), Check), 'Not ready: a store does not answer (see `checks`).'),
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
