import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { addClientRecord } from '../../workflows/clients/client-records.js';
import { removeRecord } from '../../workflows/clients/client-links.js';
import { DomainError } from '../../commands/errors.js';
import { findClientRecord } from '../../projections/clients/client-records.js';
import { decodeCursor, listClientRecords, sharedWith, type ClientSort } from '../../projections/clients/client-record-queries.js';
import { organizationGrantOf } from '../access.js';
import { ClientProfileFields, fullProfile, RecordReply, recordReply } from './client-fields.js';
import { recordView } from './clients.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from '../organizations/organizations.js';
import { errorReplies, Name, Password, Phone, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { awaitVisible } from '../visibility.js';
import { named } from '../openapi/components.js';

// An organization's client book (seed 000 client-c, client-l, clients-r):
// its own records, never anyone's account (docs/trust-model.md).

const ClientPage = named('ClientRecordPage', Type.Object({
  items: Type.Array(RecordReply),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Cursor of the next page; null on the last.' }),
}, { description: 'A page of an organization’s client records, and the cursor of the next.' }));
const SORTS: ClientSort[] = ['name', '-name', 'registration_date', '-registration_date'];
const WRITERS = ['owner', 'admin', 'manager'] as const;

export const organizationClientRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  app.post('/organizations/:org/clients', {
    config: { access: { kind: 'organization', param: 'org', roles: WRITERS } },
    schema: {
      tags: ['clients'],
      summary: 'Add a client: always a new record of this organization (201), whatever accounts exist. A `password` gives a new account for the phone its ' +
        'first password, only when none exists; it still verifies its phone.',
      params: OrgParams,
      body: Type.Object({ ...ClientProfileFields, first_name: Name, phone: Phone, password: Type.Optional(Password) }),
      response: { 201: RecordReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const { phone, password, ...profile } = request.body;
    const recordId = deps.newId();
    const position = await addClientRecord(
      deps,
      { recordId, organizationId, phone: deps.normalizePhone(phone)!, profile: fullProfile(profile), password, accountId: deps.newId(), now: deps.now() },
      metadataOf(request),
    );
    await awaitVisible(deps, position, ['client-records'], recordId, `/api/v1/clients/${recordId}`);
    return reply.code(201).send(await recordView(deps, recordId));
  });

  app.get('/organizations/:org/clients', {
    config: { access: { kind: 'organization', param: 'org', roles: ['owner', 'admin', 'manager', 'specialist', 'auditor'] } },
    schema: {
      tags: ['clients'],
      summary: 'The organization’s clients: search by name or phone prefix, sorted, paginated by cursor.',
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
    const page = await listClientRecords(db, { organizationId: grant.organizationId, sort, limit, ...(search ? { search } : {}), ...(after ? { after } : {}) });
    const shared = await sharedWith(db, page.items);
    return { items: page.items.map((row) => recordReply(row, shared.get(row.id))), next: page.next ?? null };
  });

  app.delete('/organizations/:org/clients/:client', {
    config: { access: { kind: 'organization', param: 'org', roles: WRITERS } },
    schema: {
      tags: ['clients'],
      summary: 'Remove the organization’s record of a client (and its link); the person’s account is untouched.',
      params: Type.Object({ org: Uuid, client: Uuid }),
      response: { 204: Type.Null(), ...errorReplies(401, 403, 404) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const recordId = request.params.client;
    const record = await findClientRecord(db, recordId);
    if (!record || record.organization_id !== organizationId || record.removed_at !== null) throw new DomainError('not_found', 'Not found.');
    const position = await removeRecord(deps, { recordId, now: deps.now() }, metadataOf(request));
    await deps.awaitProjections(position, ['client-records']);
    return reply.code(204).send(null);
  });
};
