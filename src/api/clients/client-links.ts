import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { acceptRecord, unlinkRecord } from '../../workflows/clients/client-links.js';
import { DomainError } from '../../commands/errors.js';
import type { ClientRecordRow } from '../../projections/clients/tables.js';
import { findClientAccount } from '../../projections/clients/client-accounts.js';
import { recordsOfPerson } from '../../projections/clients/client-record-queries.js';
import { principalOf } from '../authenticate.js';
import { clientTarget } from './client-access.js';
import { apiNameOfShared, OrganizationRef, shareableOf, ShareList } from './client-fields.js';
import { metadataOf } from '../metadata.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { awaitVisible } from '../visibility.js';
import { named } from '../openapi/components.js';

// The link between an organization's record and a person's account, made by
// the person (docs/trust-model.md): they see which organizations hold a
// record naming their verified phone, and link it; either side unlinks.

const LinkReply = named('RecordLink', Type.Object({
  record_id: Uuid,
  organization: OrganizationRef,
  status: Type.Union([Type.Literal('linked'), Type.Literal('offered')], { description: 'offered: the record names your verified phone; accept to link it.' }),
  shared: Type.Array(Type.String(), { description: 'Your account fields this organization sees while linked.' }),
  linked_at: Type.Union([Timestamp, Type.Null()]),
}, { description: 'An organization’s record of me: linked to my account, or offered for linking.' }));

function linkReply(record: ClientRecordRow, organizationName: string) {
  return {
    record_id: record.id,
    organization: { id: record.organization_id, name: organizationName },
    status: record.account_id === null ? ('offered' as const) : ('linked' as const),
    shared: record.shared.map(apiNameOfShared),
    linked_at: record.linked_at === null ? null : new Date(record.linked_at).toISOString(),
  };
}

const RecordParams = Type.Object({ record: Uuid });
const onlyClients = { access: { kind: 'authenticated', principals: ['client'] } } as const;

export const clientLinkRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  async function links(accountId: string) {
    const account = await findClientAccount(deps.db, accountId);
    if (!account) throw new DomainError('not_found', 'Not found.');
    return (await recordsOfPerson(deps.db, account)).map((r) => linkReply(r.record, r.organizationName));
  }

  app.get('/clients/me/links', {
    config: onlyClients,
    schema: {
      tags: ['links'],
      summary: 'Organizations holding a record of you: linked ones, and those naming your verified phone that you may link.',
      response: { 200: Type.Object({ items: Type.Array(LinkReply) }), ...errorReplies(401, 403, 404) },
    },
  }, async (request) => ({ items: await links(principalOf(request).id) }));

  app.post('/clients/me/links/:record/accept', {
    config: onlyClients,
    schema: {
      tags: ['links'],
      summary: 'Link an offered record to your account; `share` lists the account fields the organization may see.',
      params: RecordParams,
      body: Type.Object({ share: Type.Optional(ShareList) }),
      response: { 200: LinkReply, ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const clientId = principalOf(request).id;
    const recordId = request.params.record;
    const position = await acceptRecord(deps, { clientId, recordId, shared: shareableOf(request.body.share), now: deps.now() }, metadataOf(request));
    await awaitVisible(deps, position, ['client-records'], recordId, '/api/v1/clients/me/links');
    const link = (await links(clientId)).find((l) => l.record_id === recordId && l.status === 'linked');
    if (!link) throw new DomainError('not_found', 'Not found.');
    return link;
  });

  app.delete('/clients/me/links/:record', {
    config: onlyClients,
    schema: {
      tags: ['links'],
      summary: 'Unlink one of your linked records; the organization keeps its record, and sees nothing of your account any more.',
      params: RecordParams,
      response: { 204: Type.Null(), ...errorReplies(401, 403, 404) },
    },
  }, async (request, reply) => {
    const clientId = principalOf(request).id;
    const recordId = request.params.record;
    if (!(await links(clientId)).some((l) => l.record_id === recordId && l.status === 'linked')) throw new DomainError('not_found', 'Not found.');
    const position = await unlinkRecord(deps, { recordId, by: 'client', clientId, now: deps.now() }, metadataOf(request));
    await deps.awaitProjections(position, ['client-records']);
    return reply.code(204).send(null);
  });

  app.delete('/clients/:client/link', {
    config: { access: { kind: 'authenticated', principals: ['user', 'admin'] } },
    schema: {
      tags: ['links'],
      summary: 'The organization unlinks its record from the person’s account (owner, admin, manager).',
      params: Type.Object({ client: Uuid }),
      response: { 204: Type.Null(), ...errorReplies(401, 403, 404) },
    },
  }, async (request, reply) => {
    const target = await clientTarget(deps, request, request.params.client, 'write');
    if (target.kind !== 'record') throw new DomainError('not_found', 'Not found.');
    const position = await unlinkRecord(deps, { recordId: target.record.id, by: 'organization', clientId: null, now: deps.now() }, metadataOf(request));
    await deps.awaitProjections(position, ['client-records']);
    return reply.code(204).send(null);
  });
};
