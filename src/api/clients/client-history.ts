import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { clientAuditDecider, type ClientAuditCommand } from '../../commands/clients/client-audit.js';
import { takeQuotas } from '../../auth/quotas.js';
import { DomainError, tooManyRequests } from '../../commands/errors.js';
import { clientAuditStream } from '../../events/clients/client-audit.js';
import { clientRecordAuditStream } from '../../events/clients/client-record.js';
import { appointmentIdsOfRecord } from '../../projections/scheduling/appointment-queries.js';
import { accountAsOf, clientHistory, recordAsOf, type HistoryView } from '../../workflows/clients/client-history.js';
import { profileOf } from '../../workflows/clients/export.js';
import { listMembers } from '../../projections/organizations/organization-queries.js';
import { STAFF } from '../access.js';
import { actorOf, principalOf } from '../authenticate.js';
import { clientTarget, type ClientTarget } from './client-access.js';
import { metadataOf } from '../metadata.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { named } from '../openapi/components.js';

// For auditors: the history of a person's account (to the person, or a
// platform admin) or of an organization's record (to its staff with the
// right role), and the profile as it was at a moment. Reading is recorded.

const Entry = named('HistoryEntry', Type.Object({
  id: Uuid,
  sequence: Type.Integer({ description: 'Position in this view, from 1: no gaps.' }),
  type: Type.String(),
  occurred_at: Timestamp,
  actor: Type.Object({
    kind: Type.String(),
    id: Type.Union([Type.String(), Type.Null()], { description: 'Named only when the viewer’s organization may know who it was.' }),
  }),
  correlation_id: Type.String(),
  request_id: Type.Union([Type.String(), Type.Null()]),
  changes: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String({
    pattern: '^[0-9a-f]{64}$',
    description: 'The event’s SHA-256 (hex), chained to the previous event of its stream: the value `npm run cli -- audit verify` checks (docs/audit.md).',
  }),
}, { description: 'One event of a client’s history, with who did it and the hash chaining it.' }));

const ProfileThen = Type.Object({
  phone: Type.String(),
  confirmed_phone: Type.Optional(Type.Boolean()),
  linked: Type.Optional(Type.Boolean()),
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  birthday: Type.Union([Type.String(), Type.Null()]),
  sex: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(),
  additional_info: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
  registration_date: Timestamp,
  updated_at: Timestamp,
});

export const clientHistoryRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  /** The view of the target the caller may have. */
  async function viewOf(target: ClientTarget, viewerId: string): Promise<HistoryView> {
    if (target.kind === 'account') return { kind: 'account', accountId: target.accountId };
    const { record } = target;
    const appointmentIds = await appointmentIdsOfRecord(deps.db, record.id);
    if (target.by === 'platform_admin') return { kind: 'record', recordId: record.id, appointmentIds, named: 'all' };
    const staff = new Set((await listMembers(deps.db, record.organization_id)).map((m) => m.user.id));
    staff.add(viewerId);
    return { kind: 'record', recordId: record.id, appointmentIds, named: (id) => staff.has(id) };
  }

  /** The profile as it was at `at`; 404 before the client or the record existed. */
  async function profileAsOf(target: ClientTarget, at: Date) {
    if (target.kind === 'account') {
      const state = await accountAsOf(deps.store, target.accountId, at);
      if (state.status !== 'registered') throw new DomainError('not_found', 'The client was not registered yet at that time.');
      return {
        phone: state.phone,
        confirmed_phone: state.confirmedPhone,
        ...profileOf(state.profile),
        registration_date: state.registeredAt,
        updated_at: state.updatedAt,
      };
    }
    const state = await recordAsOf(deps.store, target.record.id, at);
    if (state.status !== 'open') throw new DomainError('not_found', 'The record did not exist at that time.');
    return {
      phone: state.phone,
      linked: state.clientId !== null,
      ...profileOf(state.profile),
      registration_date: state.openedAt,
      updated_at: state.updatedAt,
    };
  }

  async function recordLook(target: ClientTarget, request: Parameters<typeof metadataOf>[0], asOf: string | null) {
    const actor = actorOf(request);
    const viewer = { kind: actor.kind, id: actor.id ?? null };
    const now = deps.now().toISOString();
    const command: ClientAuditCommand =
      target.kind === 'account'
        ? { type: 'RecordHistoryView', data: { subject: { kind: 'account', clientId: target.accountId }, viewer, asOf, now } }
        : {
          type: 'RecordHistoryView',
          data: { subject: { kind: 'record', recordId: target.record.id, organizationId: target.record.organization_id }, viewer, asOf, now },
        };
    const stream = target.kind === 'account' ? clientAuditStream(target.accountId) : clientRecordAuditStream(target.record.id);
    await deps.handle(clientAuditDecider, stream, command, metadataOf(request));
  }

  app.get('/clients/:client/history', {
    config: { access: { kind: 'authenticated', principals: ['client', ...STAFF] } },
    schema: {
      tags: ['clients'],
      summary: 'Every event of your account (a client), or of your organization’s record and its appointments (owner, admin, auditor), oldest first; ' +
        '`as_of` gives the profile as it was then. Each look is recorded.',
      params: Type.Object({ client: Uuid }),
      querystring: Type.Object({
        as_of: Type.Optional(Type.String({ format: 'date-time' })),
        cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: 'From the previous page’s `next`.' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
      }),
      response: {
        200: Type.Union([
          Type.Object({ items: Type.Array(Entry), next: Type.Union([Type.String(), Type.Null()]) }),
          Type.Object({ as_of: Timestamp, profile: ProfileThen }),
        ]),
        ...errorReplies(400, 401, 403, 404, 429),
      },
    },
  }, async (request) => {
    // Each look appends an audit event: a caller gets so many a minute, and a refused look is neither served nor recorded.
    const quota = await takeQuotas(
      deps.db,
      [{ key: `history:${principalOf(request).id}`, max: deps.rateLimits.historyReadsPerMinute, windowMs: 60_000 }],
      deps.now()
    );
    if (!quota.ok) throw tooManyRequests(`Too many history reads; try again in ${quota.retryAfterSeconds} seconds.`, quota.retryAfterSeconds);
    const target = await clientTarget(deps, request, request.params.client, 'history');
    const { as_of: asOf, cursor, limit = 100 } = request.query;
    // A look is recorded once it is known to be served: a refused one (404 before the client existed) appends nothing.
    if (asOf !== undefined) {
      const profile = await profileAsOf(target, new Date(asOf));
      await recordLook(target, request, asOf);
      return { as_of: new Date(asOf).toISOString(), profile };
    }
    await recordLook(target, request, null);


    const entries = await clientHistory(deps.store, await viewOf(target, actorOf(request).id ?? ''));
    const start = cursor === undefined ? 0 : Number(cursor);
    const items = entries.slice(start, start + limit);
    return { items, next: start + limit < entries.length ? String(start + limit) : null };
  });
};


