import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import { removeRecord } from '../../../workflows/clients/client-links.js';
import { addClientRecord } from '../../../workflows/clients/client-records.js';
import { findClientRecord } from '../../../projections/clients/client-records.js';
import { decodeCursor, listClientRecords } from '../../../projections/clients/client-record-queries.js';
import type { ClientRecordRow } from '../../../projections/clients/tables.js';
import { findOrganization } from '../../../projections/organizations/organization-queries.js';
import { organizationGrantOf, STAFF } from '../../access.js';
import { fullProfile } from '../../clients/client-fields.js';
import type { Dependencies, Routes } from '../../dependencies.js';
import { FORBIDDEN, NotVisibleYet } from '../../errors.js';
import { metadataOf } from '../../metadata.js';
import { Name, Password, Phone, Uuid } from '../../schemas.js';
import { awaitVisible } from '../../visibility.js';
import { AddedRecord, addedRecord, ListedRecord, listedRecord, namedInBody, namedInPath, organizationGate, OrganizationList, READERS, RecordFields, WRITERS } from './shapes.js';
import { drfReplies } from '../drf.js';

// Seed 000's client book: client-c (add), client-l (list), clients-r
// (remove), onto /api/v1's /organizations/{org}/clients workflows and reads.

const staff = { access: { kind: 'authenticated' as const, principals: STAFF } };
/** client-l answers every record at once; the book is read in pages of this many. */
const PAGE = 100;

async function everyRecord(deps: Dependencies, organizationId: string): Promise<ClientRecordRow[]> {
  const records: ClientRecordRow[] = [];
  let after: ReturnType<typeof decodeCursor>;
  for (;;) {
    const page = await listClientRecords(deps.db, { organizationId, sort: 'registration_date', limit: PAGE, ...(after ? { after } : {}) });
    records.push(...page.items);
    after = page.next === undefined ? undefined : decodeCursor(page.next);
    if (!after) return records;
  }
}

export const clientBookRoutes: Routes = async (app, { deps }) => {
  app.post('/client-c/', {
    config: staff,
    preValidation: organizationGate(deps, WRITERS, namedInBody),
    schema: {
      summary: 'Add a client: always a new record of the first organization listed (owner, admin, manager). A `password` is the first password of a ' +
        'new account for the phone only when none exists; that account still verifies its phone. No organization, or one you may not add to: 403.',
      body: Type.Object({ organization: OrganizationList, ...RecordFields, name: Name, phone: Phone, password: Password }),
      response: { 201: AddedRecord, ...drfReplies(400, 401, 403) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const { organization: _organization, phone, password, name, surname, ...rest } = request.body;
    const recordId = deps.newId();
    const position = await addClientRecord(
      deps,
      {
        recordId,
        organizationId,
        phone: deps.normalizePhone(phone)!,
        profile: fullProfile({ first_name: name, ...(surname === undefined ? {} : { last_name: surname }), ...rest }),
        password,
        accountId: deps.newId(),
        now: deps.now(),
      },
      metadataOf(request),
    );
    await awaitVisible(deps, position, ['client-records'], recordId, `/api/v1/clients/${recordId}`);
    const row = await findClientRecord(deps.db, recordId);
    if (!row) throw new NotVisibleYet(recordId, `/api/v1/clients/${recordId}`);
    return reply.code(201).send(addedRecord(row));
  });

  app.get('/client-l/:org/', {
    config: staff,
    preValidation: organizationGate(deps, READERS, namedInPath),
    schema: {
      summary: 'Every record of the organization, oldest first, each with its organization (members). An organization you are not a member of: 403.',
      params: Type.Object({ org: Uuid }),
      response: { 200: Type.Array(ListedRecord), ...drfReplies(401, 403) },
    },
  }, async (request) => {
    const { organizationId } = organizationGrantOf(request);
    const organization = await findOrganization(deps.db, organizationId);
    if (!organization) throw new DomainError('forbidden', FORBIDDEN);
    return (await everyRecord(deps, organizationId)).map((row) => listedRecord(row, organization));
  });

  app.delete('/clients-r/:org/:id/', {
    config: staff,
    // The seed sends its DELETE with a body or without; none is read as an empty one, which the schema then checks like any.
    preValidation: [organizationGate(deps, WRITERS, namedInPath), async (request) => void (request.body ??= {})],
    schema: {
      summary: 'Remove the organization’s record (and its link); the person’s account is untouched (owner, admin, manager). The path’s organization ' +
        'decides; a body’s `organization` is allowed and ignored.',
      params: Type.Object({ org: Uuid, id: Uuid }),
      body: Type.Object({ organization: Type.Optional(OrganizationList) }),
      response: { 204: Type.Null(), ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const record = await findClientRecord(deps.db, request.params.id);
    if (!record || record.organization_id !== organizationId || record.removed_at !== null) throw new DomainError('not_found', 'Not found.');
    const position = await removeRecord(deps, { recordId: record.id, now: deps.now() }, metadataOf(request));
    await deps.awaitProjections(position, ['client-records']);
    return reply.code(204).send(null);
  });
};
