import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { changeClient, type ChangeClient } from '../commands/change-client.js';
import { DomainError } from '../commands/errors.js';
import { findClientWithOrganizations } from '../projections/client-organizations.js';
import { STAFF } from './access.js';
import { principalOf } from './authenticate.js';
import { authorizeClient, visibleOrganizations, type ClientViewer } from './client-access.js';
import { ClientProfileFields, ClientReply, clientReply, fullProfile, profileChanges } from './client-fields.js';
import { metadataOf } from './metadata.js';
import { errorReplies, FreeText, Name, Password, Phone, Uuid } from './schemas.js';
import type { Services } from './services.js';

// One client record (seeds 000 and 001): read it, change it as a whole or
// field by field. Who may: see src/api/client-access.ts.

const ClientParams = Type.Object({ client: Uuid });
const EVERYONE = ['client', ...STAFF] as const;
const reading = { access: { kind: 'authenticated' as const, principals: EVERYONE } };

export async function clientView(services: Services, clientId: string, viewer: ClientViewer) {
  const found = await findClientWithOrganizations(services.db, clientId);
  if (!found) throw new DomainError('not_found', 'Not found.');
  const { client, organizations } = found;
  const visible = new Set(visibleOrganizations(viewer, organizations.map((o) => o.id)));
  return clientReply(client, organizations.filter((o) => visible.has(o.id)));
}

export const clientRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  /** Applies a change the caller may make, waits for the read model, replies with the record. */
  async function change(request: FastifyRequest, clientId: string, fields: Omit<ChangeClient, 'clientId' | 'challengeId' | 'now'>) {
    const viewer = await authorizeClient(services, request, clientId, 'write');
    const position = await changeClient(services, { ...fields, clientId, challengeId: services.newId(), now: services.now() }, metadataOf(request));
    await services.awaitProjections(position, ['clients']);
    return clientView(services, clientId, viewer);
  }
  const normalized = (phone: string | undefined) => (phone === undefined ? undefined : services.normalizePhone(phone)!);

  app.get('/clients/me', {
    config: { access: { kind: 'authenticated', principals: ['client'] } },
    schema: { tags: ['clients'], summary: 'The signed-in client’s own profile.', security: [{ bearer: [] }], response: { 200: ClientReply, ...errorReplies(401, 403, 404) } },
  }, async (request) => clientView(services, principalOf(request).id, { kind: 'self' }));

  app.get('/clients/:client', {
    config: reading,
    schema: { tags: ['clients'], summary: 'A client’s profile.', security: [{ bearer: [] }], params: ClientParams, response: { 200: ClientReply, ...errorReplies(401, 403, 404) } },
  }, async (request) => clientView(services, request.params.client, await authorizeClient(services, request, request.params.client, 'read')));

  app.put('/clients/:client', {
    config: reading,
    schema: {
      tags: ['clients'],
      summary: 'Replace every editable field; fields left out are emptied. A new phone must be verified again.',
      security: [{ bearer: [] }],
      params: ClientParams,
      body: Type.Object({ ...ClientProfileFields, first_name: Name, phone: Phone, password: Type.Optional(Password) }),
      response: { 200: ClientReply, ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { phone, password, ...profile } = request.body;
    return change(request, request.params.client, { profile: fullProfile(profile), phone: normalized(phone), ...(password === undefined ? {} : { password }) });
  });

  app.patch('/clients/:client', {
    config: reading,
    schema: {
      tags: ['clients'],
      summary: 'Change some fields. A new phone must be verified again; a new password ends every session.',
      security: [{ bearer: [] }],
      params: ClientParams,
      body: Type.Object({ ...ClientProfileFields, phone: Type.Optional(Phone), password: Type.Optional(Password) }),
      response: { 200: ClientReply, ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { phone, password, ...profile } = request.body;
    return change(request, request.params.client, { profile: profileChanges(profile), phone: normalized(phone), ...(password === undefined ? {} : { password }) });
  });

  // The one-purpose changes of seed 001.
  app.patch('/clients/:client/full_name', {
    config: reading,
    schema: {
      tags: ['clients'],
      security: [{ bearer: [] }],
      params: ClientParams,
      body: Type.Object({ first_name: Type.Optional(Name), last_name: Type.Optional(Name), patronymic: Type.Optional(Name) }, { minProperties: 1 }),
      response: { 200: ClientReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => change(request, request.params.client, { profile: profileChanges(request.body) }));

  app.patch('/clients/:client/password', {
    config: reading,
    schema: { tags: ['clients'], security: [{ bearer: [] }], params: ClientParams, body: Type.Object({ password: Password }), response: { 200: ClientReply, ...errorReplies(400, 401, 403, 404) } },
  }, async (request) => change(request, request.params.client, { password: request.body.password }));

  app.patch('/clients/:client/phone_number', {
    config: reading,
    schema: { tags: ['clients'], security: [{ bearer: [] }], params: ClientParams, body: Type.Object({ phone_number: Phone }), response: { 200: ClientReply, ...errorReplies(400, 401, 403, 404, 409) } },
  }, async (request) => change(request, request.params.client, { phone: normalized(request.body.phone_number) }));

  app.patch('/clients/:client/additional_info', {
    config: reading,
    schema: { tags: ['clients'], security: [{ bearer: [] }], params: ClientParams, body: Type.Object({ additional_info: FreeText }), response: { 200: ClientReply, ...errorReplies(400, 401, 403, 404) } },
  }, async (request) => change(request, request.params.client, { profile: { additionalInfo: request.body.additional_info } }));
};
