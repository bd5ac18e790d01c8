import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import { findClientRecord } from '../../../projections/clients/client-records.js';
import { organizationGrantOf, STAFF } from '../../access.js';
import { profileChanges, type ClientProfileInput } from '../../clients/client-fields.js';
import { changeRecord } from '../../clients/clients.js';
import type { Routes } from '../../dependencies.js';
import { NotVisibleYet } from '../../errors.js';
import { Name, Phone, Uuid } from '../../schemas.js';
import { awaitVisible } from '../../visibility.js';
import { ChangedRecord, changedRecord, namedInBody, organizationGate, OrganizationList, RecordFields, WRITERS } from './shapes.js';
import { drfReplies } from '../drf.js';

// Seed 000's client-u: staff change their organization's record, by the
// same decider as PUT/PATCH /api/v1/clients/{record}. The seed lets them set
// a password too; a record has none, and nobody but the person sets theirs
// (docs/trust-model.md): a body with `password` is refused (403), nothing changed.

const Params = Type.Object({ id: Uuid });
const RefusedPassword = Type.Optional(Type.String({ maxLength: 128, description: 'Refused (403): staff never set a person’s password; a record has none.' }));

interface Body extends Pick<ClientProfileInput, 'patronymic' | 'address' | 'links'> {
  readonly name?: string;
  readonly surname?: string;
  readonly phone?: string;
  readonly password?: string;
}

/** The seed's names in /api/v1's: `name` is first_name, `surname` last_name. */
const inApiNames = ({ name, surname, patronymic, address, links }: Body): ClientProfileInput => ({
  ...(name === undefined ? {} : { first_name: name }),
  ...(surname === undefined ? {} : { last_name: surname }),
  ...(patronymic === undefined ? {} : { patronymic }),
  ...(address === undefined ? {} : { address }),
  ...(links === undefined ? {} : { links }),
});

export const clientChangeRoutes: Routes = async (app, { deps }) => {
  const gate = organizationGate(deps, WRITERS, namedInBody);

  async function change(request: FastifyRequest, recordId: string, body: Body, replace: boolean) {
    const { organizationId } = organizationGrantOf(request);
    const record = await findClientRecord(deps.db, recordId);
    if (!record || record.organization_id !== organizationId || record.removed_at !== null) throw new DomainError('not_found', 'Not found.');
    // PUT replaces the fields this profile knows; the record's others (email, birthday, notes...) are not its to empty.
    const profile = profileChanges(replace ? { last_name: '', patronymic: '', address: '', links: {}, ...inApiNames(body) } : inApiNames(body));
    const phone = body.phone === undefined ? undefined : deps.normalizePhone(body.phone)!;
    const position = await changeRecord(deps, request, recordId, { profile, phone, ...(body.password === undefined ? {} : { password: body.password }) });
    await awaitVisible(deps, position, ['client-records'], recordId, `/api/v1/clients/${recordId}`);
    const row = await findClientRecord(deps.db, recordId);
    if (!row || row.removed_at !== null) throw new NotVisibleYet(recordId, `/api/v1/clients/${recordId}`);
    return changedRecord(row);
  }

  app.put('/client-u/:id/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    preValidation: gate,
    schema: {
      summary: 'Replace the record’s name, surname, patronymic, phone, address and links (fields left out are emptied; `name` and `phone` required) ' +
        '(owner, admin, manager of the first organization listed; the record must be that organization’s).',
      params: Params,
      body: Type.Object({ organization: OrganizationList, ...RecordFields, name: Name, phone: Phone, password: RefusedPassword }),
      response: { 200: ChangedRecord, ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request) => change(request, request.params.id, request.body, true));

  app.patch('/client-u/:id/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    preValidation: gate,
    schema: {
      summary: 'Change some of the record’s name, surname, patronymic, phone, address and links (owner, admin, manager of the first organization ' +
        'listed; the record must be that organization’s).',
      params: Params,
      body: Type.Object({ organization: OrganizationList, ...RecordFields, phone: Type.Optional(Phone), password: RefusedPassword }),
      response: { 200: ChangedRecord, ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request) => change(request, request.params.id, request.body, false));
};
