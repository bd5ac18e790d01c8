import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { STATUSES } from '../../events/scheduling/appointment.js';
import { Nullable } from '../../events/schema.js';
import { clientExport } from '../../workflows/clients/export.js';
import { principalOf } from '../authenticate.js';
import type { Dependencies } from '../dependencies.js';
import { ActorRoleSchema, asAttachment, awaitEverythingSoFar, closed, ExportedEvent, NotReadYet, OrganizationName } from '../identity/export.js';
import { Cost, ZonedTime } from '../scheduling/scheduling-schemas.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';

// `GET /clients/me/export`: everything held about the signed-in person, as
// one JSON document (GDPR art. 15; docs/privacy.md, "Export"). Always the
// caller's own: there is no id to name.

const Profile = {
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
  email: Nullable(Type.String()),
  birthday: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  sex: Nullable(Type.String()),
  address: Type.String(),
  additional_info: Type.String(),
  links: Type.Record(Type.String(), Type.String(), { description: 'Social links and the like, e.g. {"vk": "vk.com/id1"}.' }),
};

const ClientExportReply = closed(
  {
    account: closed(
      { id: Uuid, phone: Type.String({ description: 'Login phone (E.164).' }), confirmed_phone: Type.Boolean(), ...Profile, registered_at: Timestamp },
      'Your account, folded from its own stream.',
    ),
    records: Type.Array(
      closed(
        {
          id: Uuid,
          organization: OrganizationName,
          phone: Type.String({ description: 'The contact phone the organization wrote down.' }),
          ...Profile,
          opened_at: Timestamp,
          updated_at: Timestamp,
          linked_at: Timestamp,
          shared: Type.Record(Type.String(), Nullable(Type.String()), { description: 'Your account fields this organization sees, as they are now.' }),
        },
        'An organization’s record of you, linked to your account, as that organization holds it (its notes included).',
      ),
    ),
    appointments: Type.Array(
      closed(
        {
          id: Uuid,
          organization: OrganizationName,
          record_id: Uuid,
          start: ZonedTime,
          end: ZonedTime,
          time_zone: Type.String({ description: 'IANA, the specialist’s.' }),
          status: Type.Enum(STATUSES),
          service: Type.String({ description: 'As staff set it; "" when not set.' }),
          cost: Nullable(Cost),
          specialty: Nullable(Type.String({ description: 'The specialist’s specialty; who they are is the organization’s business.' })),
          place: Nullable(closed({ name: Type.String(), address: Type.String() }, 'Where.')),
          cancel_reason: Nullable(Type.String()),
          cancelled_by: Nullable(ActorRoleSchema),
          booked_at: Timestamp,
        },
        'An appointment of one of your linked records, oldest start first.',
      ),
    ),
    consents: Type.Array(
      closed(
        {
          organization: OrganizationName,
          record_id: Uuid,
          fields: Type.Array(Type.String(), { description: 'Account fields you share with this organization.' }),
          since: Timestamp,
          via: Type.Enum(['accepted', 'booking', 'migration'], { description: 'How the link was made: you accepted the record, booked there, or it was made from an old membership.' }),
        },
        'What you share with whom, since when.',
      ),
    ),
    history: Type.Array(
      closed(
        {
          ...ExportedEvent,
          source: Type.Enum(['account', 'record'], { description: 'Your account’s stream, or a linked record’s.' }),
          record_id: Nullable(Uuid),
        },
        'An event of your account or of a linked record (not its links to other accounts), oldest first.',
      ),
    ),
    exported_at: Timestamp,
  },
  'Everything held about you as a client.',
);

export const clientExportRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.get('/clients/me/export', {
    config: { access: { kind: 'authenticated', principals: ['client'] } },
    schema: {
      tags: ['clients'],
      summary: 'Everything held about you, as one JSON document: account, linked records, their appointments, what you share, and the events.',
      description:
        'The right of access (GDPR art. 15). Staff appear by role only and specialists by specialty; nothing of other clients. See docs/privacy.md.',
      response: { 200: ClientExportReply, 202: NotReadYet, ...errorReplies(401, 403, 404) },
    },
  }, async (request, reply) => {
    const accountId = principalOf(request).id;
    await awaitEverythingSoFar(deps, accountId, '/api/v1/clients/me/export');
    const now = deps.now();
    const exported = await clientExport(deps, accountId, now);
    if (!exported) throw new DomainError('not_found', 'Not found.');
    asAttachment(reply, now);
    return exported;
  });
};
