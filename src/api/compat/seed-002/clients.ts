import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { addClientRecord } from '../../../workflows/clients/client-records.js';
import { removeRecord } from '../../../workflows/clients/client-links.js';
import { DomainError, invalid } from '../../../commands/errors.js';
import type { Role } from '../../../events/organizations/organization.js';
import { findClientRecord } from '../../../projections/clients/client-records.js';
import { decodeCursor, listClientRecords, sharedWith, type ClientSort } from '../../../projections/clients/client-record-queries.js';
import type { ClientRecordRow } from '../../../projections/clients/tables.js';
import { STAFF } from '../../access.js';
import { ClientProfileFields, fullProfile, RecordReply, recordReply } from '../../clients/client-fields.js';
import { Nullable } from '../../../events/schema.js';
import { changeRecord, recordView } from '../../clients/clients.js';
import { metadataOf } from '../../metadata.js';
import { authorizeInOrganization } from '../../scheduling/scheduling-access.js';
import { Name, Password, Phone, Timestamp, Uuid } from '../../schemas.js';
import type { Dependencies, Routes } from '../../dependencies.js';
import { awaitVisible } from '../../visibility.js';
import { organizationOf } from './organization.js';
import { drfReplies } from '../drf.js';
import { named } from '../../openapi/components.js';

// Seed 002's clients: the clinic's own records of its clients (never
// anyone's account, docs/trust-model.md), through the same workflows and
// read model as /api/v1/organizations/{org}/clients and /api/v1/clients/{id}.
// The seed's rights: its admin (our owner, admin) and its manager list, add
// and read; only its admin changes or deletes.

const KEEPERS: readonly Role[] = ['owner', 'admin', 'manager'];
const ADMINS: readonly Role[] = ['owner', 'admin'];
const staff = { access: { kind: 'authenticated' as const, principals: STAFF } };
const RecordParams = Type.Object({ id: Uuid });
const Organization = Type.Optional(Uuid);
const ORDERINGS: readonly ClientSort[] = ['name', '-name', 'registration_date', '-registration_date'];
/** How many records one read of the list takes; the answer holds them all, as a DRF list without pagination does. */
const PAGE = 100;

/** /api/v1's record, with the clinic as `organization`, as every resource of this profile names it. */
const { organization_id: _organizationId, ...RecordFields } = RecordReply.properties;
const Client = named('Seed002Client', Type.Object({ ...RecordFields, organization: Uuid }, { description: 'Seed 002: a client of the clinic.' }));

function clientReply(record: ReturnType<typeof recordReply>) {
  const { organization_id: organization, ...fields } = record;
  return { ...fields, organization };
}

/** A whole client, as a DRF frontend sends back what it read: the read-only fields are accepted and ignored. */
const ClientReplacement = Type.Object({
  ...ClientProfileFields,
  first_name: Name,
  phone: Phone,
  password: Type.Optional(Password),
  id: Type.Optional(Uuid),
  organization: Type.Optional(Uuid),
  registration_date: Type.Optional(Timestamp),
  updated_at: Type.Optional(Timestamp),
  linked: Type.Optional(Type.Boolean()),
  shared: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Nullable(Type.String({ maxLength: 500 })), { maxProperties: 20 })),
});

/** Every open record of the organization, page by page through the one client-book query. */
async function allRecords(deps: Dependencies, organizationId: string, sort: ClientSort, search: string | undefined): Promise<ClientRecordRow[]> {
  const rows: ClientRecordRow[] = [];
  let after: ReturnType<typeof decodeCursor>;
  do {
    const page = await listClientRecords(deps.db, { organizationId, sort, limit: PAGE, ...(search ? { search } : {}), ...(after ? { after } : {}) });
    rows.push(...page.items);
    after = page.next === undefined ? undefined : decodeCursor(page.next);
  } while (after);
  return rows;
}

/** The open record once the caller holds one of the roles in its organization; a record of another organization is not found. */
async function recordFor(deps: Dependencies, request: FastifyRequest, recordId: string, roles: readonly Role[]): Promise<ClientRecordRow> {
  const record = await findClientRecord(deps.db, recordId);
  if (!record || record.removed_at !== null) throw new DomainError('not_found', 'Not found.');
  await authorizeInOrganization(deps, request, record.organization_id, roles);
  return record;
}

export const clientsRoutes: Routes = async (app, { deps }) => {
  app.get('/clients/', {
    config: staff,
    schema: {
      summary: 'The clinic’s clients, all of them (admin, manager). `organization` names the clinic when you are staff of several.',
      querystring: Type.Object({
        organization: Organization,
        search: Type.Optional(Type.String({ maxLength: 100, description: 'A name part or a phone prefix.' })),
        ordering: Type.Optional(Type.Union(ORDERINGS.map((s) => Type.Literal(s)), { default: 'name' })),
      }),
      response: { 200: Type.Array(Client), ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { organizationId } = await organizationOf(deps, request, KEEPERS);
    const rows = await allRecords(deps, organizationId, request.query.ordering ?? 'name', request.query.search);
    const shared = await sharedWith(deps.db, rows);
    return rows.map((row) => clientReply(recordReply(row, shared.get(row.id))));
  });

  app.post('/clients/', {
    config: staff,
    schema: {
      summary: 'Add a client (admin, manager): always a new record of the clinic. A `password` is only the first password of a new account for the ' +
        'phone, when none exists; the account still verifies its phone.',
      body: Type.Object({ organization: Organization, ...ClientProfileFields, first_name: Name, phone: Phone, password: Type.Optional(Password) }),
      response: { 201: Client, ...drfReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const { organizationId } = await organizationOf(deps, request, KEEPERS);
    const { organization: _named, phone, password, ...profile } = request.body;
    const recordId = deps.newId();
    const position = await addClientRecord(
      deps,
      { recordId, organizationId, phone: deps.normalizePhone(phone)!, profile: fullProfile(profile), password, accountId: deps.newId(), now: deps.now() },
      metadataOf(request),
    );
    await awaitVisible(deps, position, ['client-records'], recordId, `/compat/002/api/v1/clients/${recordId}/`);
    return reply.code(201).send(clientReply(await recordView(deps, recordId)));
  });

  app.get('/clients/:id/', {
    config: staff,
    schema: {
      summary: 'One client of the clinic (admin, manager).',
      params: RecordParams,
      response: { 200: Client, ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const record = await recordFor(deps, request, request.params.id, KEEPERS);
    return clientReply(recordReply(record, (await sharedWith(deps.db, [record])).get(record.id)));
  });

  app.put('/clients/:id/', {
    config: staff,
    schema: {
      summary: 'Replace a client’s data (admin only); fields left out are emptied, read-only ones ignored. A record has no password: sending one is ' +
        'refused (403).',
      params: RecordParams,
      body: ClientReplacement,
      response: { 200: Client, ...drfReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const record = await recordFor(deps, request, request.params.id, ADMINS);
    const { phone, password, id: _id, organization, registration_date: _since, updated_at: _at, linked: _linked, shared: _shared, ...profile } = request.body;
    if (organization !== undefined && organization !== record.organization_id) throw invalid('organization', 'A client stays in its clinic.');
    const change = { profile: fullProfile(profile), phone: deps.normalizePhone(phone)!, ...(password === undefined ? {} : { password }) };
    const position = await changeRecord(deps, request, record.id, change);
    await awaitVisible(deps, position, ['client-records'], record.id, `/compat/002/api/v1/clients/${record.id}/`);
    return clientReply(await recordView(deps, record.id));
  });

  app.delete('/clients/:id/', {
    config: staff,
    schema: {
      summary: 'Delete a client (admin only): the clinic’s record and its link go; the person’s own account, if any, stays.',
      params: RecordParams,
      response: { 204: Type.Null(), ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const record = await recordFor(deps, request, request.params.id, ADMINS);
    const position = await removeRecord(deps, { recordId: record.id, now: deps.now() }, metadataOf(request));
    await deps.awaitProjections(position, ['client-records']);
    return reply.code(204).send(null);
  });
};
