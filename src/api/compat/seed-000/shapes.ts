import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import type { Role } from '../../../events/organizations/organization.js';
import { Nullable } from '../../../events/schema.js';
import type { ClientRecordRow } from '../../../projections/clients/tables.js';
import type { OrganizationView } from '../../../projections/organizations/organization-queries.js';
import { Links } from '../../clients/client-fields.js';
import type { Dependencies } from '../../dependencies.js';
import { FORBIDDEN } from '../../errors.js';
import { FreeText, Name, Uuid } from '../../schemas.js';
import { resolveOrganization } from '../organization.js';
import { named } from '../../openapi/components.js';

// Seed 000's words for an organization's client book: `name` and `surname`
// are /api/v1's first_name and last_name; a record belongs to one
// organization, answered as the seed's one-item `organization` list.

export const WRITERS: readonly Role[] = ['owner', 'admin', 'manager'];
export const READERS: readonly Role[] = [...WRITERS, 'specialist', 'auditor'];

export const OrganizationList = Type.Array(Uuid, { minItems: 1, maxItems: 20, description: 'Organization ids; the first one counts (the seed’s list).' });

/** The record fields seed 000 writes (phone apart: client-c requires it, PATCH does not). */
export const RecordFields = {
  name: Type.Optional(Name),
  surname: Type.Optional(Name),
  patronymic: Type.Optional(Name),
  address: Type.Optional(FreeText),
  links: Type.Optional(Links),
};

/** The first id of the body's `organization` list, as sent (not validated yet). */
export function namedInBody(request: FastifyRequest): string | undefined {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const list = (body as { organization?: unknown }).organization;
  return Array.isArray(list) && typeof list[0] === 'string' ? list[0] : undefined;
}

/** The path's organization, as sent. */
export const namedInPath = (request: FastifyRequest): string | undefined => (request.params as { org?: string }).org;

/**
 * Seed 000's one refusal, decided before the body is validated (its empty
 * body is a 403, not a 400): none named, one the caller cannot see, or one
 * where they hold none of the roles are the same 403, so ids of other
 * organizations leak nothing. Let in, the grant is the request's, as on
 * /api/v1's organization routes.
 */
export function organizationGate(deps: Pick<Dependencies, 'db'>, roles: readonly Role[], named: (request: FastifyRequest) => string | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    const resolved = await resolveOrganization(deps, request, named(request), roles);
    if ('refused' in resolved) throw new DomainError('forbidden', FORBIDDEN);
    request.organizationGrant = resolved.grant;
  };
}

const iso = (at: Date | string) => new Date(at).toISOString();

/** A record in the seed's words, as every answer of the profile shows it, with `id` (client-u needs it). */
const SeedRecord = {
  id: Uuid,
  surname: Type.String(),
  name: Type.String(),
  patronymic: Type.String(),
  phone: Type.String({ description: 'The organization’s contact phone for the client (E.164), never a login.' }),
  address: Type.String(),
};

/** client-u's answer. */
export const ChangedRecord = named('Seed000ChangedClient', Type.Object({ ...SeedRecord, links: Type.Record(Type.String(), Type.String()) }, { description: 'Seed 000: a client record as changed.' }));

export const changedRecord = (row: ClientRecordRow) => ({
  id: row.id,
  surname: row.last_name,
  name: row.first_name,
  patronymic: row.patronymic,
  phone: row.phone,
  address: row.address,
  links: row.links,
});

/** client-c's answer: the seed's fields, with `id` (client-u needs it). */
export const AddedRecord = named('Seed000AddedClient', Type.Object({ ...SeedRecord, organization: Type.Array(Uuid) }, { description: 'Seed 000: a client record as added, with the organizations it was added to.' }));

export const addedRecord = (row: ClientRecordRow) => {
  const { links: _links, ...fields } = changedRecord(row);
  return { ...fields, organization: [row.organization_id] };
};

/**
 * The creator as /api/v1 shows them (id and names). The rest of the seed's
 * creator is the person's own account (login email and phone, their
 * verification, home address, dates) or not held (image): null.
 */
const Creator = Type.Object({
  id: Uuid,
  surname: Type.String(),
  name: Type.String(),
  patronymic: Type.String(),
  address: Type.Null(),
  email: Type.Null(),
  phone: Type.Null(),
  image: Type.Null(),
  confirmed_email: Type.Null(),
  confirmed_phone: Type.Null(),
  created_at: Type.Null(),
  updated_at: Type.Null(),
});

const OrganizationReply = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  address: Type.String(),
  creator: Nullable(Creator),
  created_at: Type.String(),
  numbers: Type.Record(Type.String(), Type.String()),
  links: Type.Record(Type.String(), Type.String()),
  updated_at: Type.String(),
});

function organizationReply({ organization, creator }: OrganizationView) {
  const hidden = { address: null, email: null, phone: null, image: null, confirmed_email: null, confirmed_phone: null, created_at: null, updated_at: null };
  return {
    id: organization.id,
    name: organization.name,
    description: organization.description,
    address: organization.address,
    // Undefined only while the users read model is behind the creator's registration.
    creator: creator ? { id: creator.id, surname: creator.last_name, name: creator.first_name, patronymic: creator.patronymic, ...hidden } : null,
    created_at: iso(organization.created_at),
    numbers: organization.numbers,
    links: organization.links,
    updated_at: iso(organization.updated_at),
  };
}

/** client-l's item: the seed's fields, with `links` (client-u edits them). */
export const ListedRecord = named('Seed000ListedClient', Type.Object({
  ...SeedRecord,
  confirmed_phone: Type.Boolean({ description: 'Always false: a record’s phone is a contact, never verified (docs/trust-model.md).' }),
  organization: Type.Array(OrganizationReply),
  links: Type.Record(Type.String(), Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
}, { description: 'Seed 000: a client record as listed, with its organization.' }));

export function listedRecord(row: ClientRecordRow, organization: OrganizationView) {
  return {
    ...changedRecord(row),
    confirmed_phone: false,
    organization: [organizationReply(organization)],
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
