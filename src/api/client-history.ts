import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { clientAuditDecider } from '../commands/client-audit.js';
import { DomainError } from '../commands/errors.js';
import { clientAuditStream } from '../events/client-audit.js';
import { clientAsOf, clientHistory } from '../projections/client-history.js';
import { STAFF } from './access.js';
import { actorOf } from './authenticate.js';
import { authorizeClient, visibleOrganizations } from './client-access.js';
import { metadataOf } from './metadata.js';
import { errorReplies, Timestamp, Uuid } from './schemas.js';
import type { Services } from './services.js';

// For auditors: a client's whole history, and the profile as it was at a
// moment. Reading it is itself recorded.

const Entry = Type.Object({
  id: Uuid,
  type: Type.String(),
  stream: Type.String(),
  version: Type.Integer(),
  occurred_at: Timestamp,
  actor: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  correlation_id: Type.String(),
  request_id: Type.Union([Type.String(), Type.Null()]),
  changes: Type.Record(Type.String(), Type.Unknown()),
});

const ProfileThen = Type.Object({
  phone: Type.String(),
  confirmed_phone: Type.Boolean(),
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  birthday: Type.Union([Type.String(), Type.Null()]),
  sex: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(),
  additional_info: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
  organization_ids: Type.Array(Uuid),
  registration_date: Timestamp,
  updated_at: Timestamp,
});

export const clientHistoryRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/clients/:client/history', {
    config: { access: { kind: 'authenticated', principals: ['client', ...STAFF] } },
    schema: {
      tags: ['clients'],
      summary: 'Every event of the client, oldest first, with who did what; `as_of` gives the profile as it was then.',
      security: [{ bearer: [] }],
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
        ...errorReplies(400, 401, 403, 404),
      },
    },
  }, async (request) => {
    const clientId = request.params.client;
    const viewer = await authorizeClient(services, request, clientId, 'history');
    const { as_of: asOf, cursor, limit = 100 } = request.query;
    const actor = actorOf(request);
    await services.handle(
      clientAuditDecider,
      clientAuditStream(clientId),
      { type: 'RecordHistoryView', data: { clientId, viewer: { kind: actor.kind, id: actor.id ?? null }, asOf: asOf ?? null, now: services.now().toISOString() } },
      metadataOf(request),
    );

    if (asOf !== undefined) {
      const state = await clientAsOf(services.store, clientId, new Date(asOf));
      if (state.status !== 'registered') throw new DomainError('not_found', 'The client was not registered yet at that time.');
      const { profile } = state;
      return {
        as_of: new Date(asOf).toISOString(),
        profile: {
          phone: state.phone,
          confirmed_phone: state.confirmedPhone,
          first_name: profile.firstName,
          last_name: profile.lastName,
          patronymic: profile.patronymic,
          email: profile.email,
          birthday: profile.birthday,
          sex: profile.sex,
          address: profile.address,
          additional_info: profile.additionalInfo,
          links: profile.links,
          organization_ids: visibleOrganizations(viewer, state.organizationIds),
          registration_date: state.registeredAt,
          updated_at: state.updatedAt,
        },
      };
    }

    const filter = viewer.kind === 'staff' ? (id: string) => viewer.organizationIds.includes(id) : undefined;
    const entries = await clientHistory(services.store, clientId, filter);
    const start = cursor === undefined ? 0 : Number(cursor);
    const items = entries.slice(start, start + limit);
    return { items, next: start + limit < entries.length ? String(start + limit) : null };
  });
};
