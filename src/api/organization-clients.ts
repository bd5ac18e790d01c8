import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { clientDecider } from '../commands/client.js';
import { DomainError } from '../commands/errors.js';
import { addClientToOrganization } from '../commands/register-client.js';
import { clientStream } from '../events/client.js';
import { decodeCursor, listClients, type ClientSort } from '../projections/client-list.js';
import { isClientOf, organizationsOfClients } from '../projections/client-organizations.js';
import { organizationGrantOf } from './access.js';
import { principalOf } from './authenticate.js';
import { ClientProfileFields, ClientReply, clientReply, fullProfile } from './client-fields.js';
import { staffViewer, visibleOrganizations } from './client-access.js';
import { clientView } from './clients.js';
import { metadataOf } from './metadata.js';
import { OrgParams } from './organizations.js';
import { errorReplies, Name, Password, Phone, Uuid } from './schemas.js';
import type { Services } from './services.js';

// An organization's client book (seed 000 client-c, client-l, clients-r).

const ClientPage = Type.Object({ items: Type.Array(ClientReply), next: Type.Union([Type.String(), Type.Null()], { description: 'Cursor of the next page; null on the last.' }) });
const SORTS: ClientSort[] = ['name', '-name', 'registration_date', '-registration_date'];

export const organizationClientRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { db } = services;

  app.post('/organizations/:org/clients', {
    config: { access: { kind: 'organization', param: 'org', roles: ['owner', 'admin', 'manager'] } },
    schema: {
      tags: ['clients'],
      summary: 'Add a client. A phone that is already a client’s adds that person (200) without changing their profile.',
      security: [{ bearer: [] }],
      params: OrgParams,
      body: Type.Object({ ...ClientProfileFields, first_name: Name, phone: Phone, password: Type.Optional(Password) }),
      response: { 200: ClientReply, 201: ClientReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const { phone, password, ...profile } = request.body;
    const added = await addClientToOrganization(
      services,
      { clientId: services.newId(), organizationId, phone: services.normalizePhone(phone)!, password, profile: fullProfile(profile), now: services.now() },
      metadataOf(request),
    );
    await services.awaitProjections(added.position, ['clients']);
    const view = await clientView(services, added.clientId, await staffViewer(services, principalOf(request).id, request.organizationGrant?.platformAdmin ?? false));
    return reply.code(added.created ? 201 : 200).send(view);
  });

  app.get('/organizations/:org/clients', {
    config: { access: { kind: 'organization', param: 'org', roles: ['owner', 'admin', 'manager', 'specialist', 'auditor'] } },
    schema: {
      tags: ['clients'],
      summary: 'The organization’s clients: search by name or phone prefix, sorted, paginated by cursor.',
      security: [{ bearer: [] }],
      params: OrgParams,
      querystring: Type.Object({
        search: Type.Optional(Type.String({ maxLength: 100 })),
        sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)), { default: 'name' })),
        cursor: Type.Optional(Type.String({ maxLength: 400 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
      }),
      response: { 200: ClientPage, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const grant = organizationGrantOf(request);
    const { search, sort = 'name', cursor, limit = 20 } = request.query;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !after) throw new DomainError('invalid', 'Invalid input.', { cursor: ['Not a cursor from a previous page.'] });
    const page = await listClients(db, { organizationId: grant.organizationId, sort, limit, ...(search ? { search } : {}), ...(after ? { after } : {}) });
    const organizations = await organizationsOfClients(db, page.items.map((c) => c.id));
    const viewer = await staffViewer(services, principalOf(request).id, grant.platformAdmin);
    return {
      items: page.items.map((row) => {
        const theirs = organizations.get(row.id) ?? [];
        const shown = new Set(visibleOrganizations(viewer, theirs.map((o) => o.id)));
        return clientReply(row, theirs.filter((o) => shown.has(o.id)));
      }),
      next: page.next ?? null,
    };
  });

  app.delete('/organizations/:org/clients/:client', {
    config: { access: { kind: 'organization', param: 'org', roles: ['owner', 'admin', 'manager'] } },
    schema: {
      tags: ['clients'],
      summary: 'The client leaves this organization; the person and their history remain.',
      security: [{ bearer: [] }],
      params: Type.Object({ org: Type.String(), client: Uuid }),
      response: { 204: Type.Null(), ...errorReplies(401, 403, 404) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const clientId = request.params.client;
    if (!(await isClientOf(db, clientId, organizationId))) throw new DomainError('not_found', 'Not found.');
    const { position } = await services.handle(clientDecider, clientStream(clientId), { type: 'LeaveOrganization', data: { organizationId, now: services.now().toISOString() } }, metadataOf(request));
    await services.awaitProjections(position, ['clients']);
    return reply.code(204).send(null);
  });
};
