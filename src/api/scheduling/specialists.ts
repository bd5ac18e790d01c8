import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { specialistDecider, type SpecialistCommand } from '../../commands/scheduling/specialist.js';
import type { Role } from '../../events/organizations/organization.js';
import { specialistStream, type SpecialistChanges } from '../../events/scheduling/specialist.js';
import { findMember, findOrganization } from '../../projections/organizations/organization-queries.js';
import { findSpecialist, listSpecialists } from '../../projections/scheduling/specialists.js';
import type { SpecialistRow } from '../../projections/scheduling/tables.js';
import { organizationGrantOf, STAFF } from '../access.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from '../organizations/organizations.js';
import { authorizeInOrganization, isStaffViewer } from './scheduling-access.js';
import { SpecialistReply, specialistReply } from './scheduling-schemas.js';
import { errorReplies, Phone, Uuid } from '../schemas.js';
import { NotVisibleYet } from '../errors.js';
import type { Dependencies } from '../dependencies.js';
import { awaitVisible } from '../visibility.js';

// Specialists (seed 002 "workers"): the lists are public, changes are for
// owners and admins. A specialist may be linked to a staff user of the
// organization. Working hours and slots are in working-hours.ts and slots.ts.

export const SpecialistBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  specialty: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Type.Optional(Type.Union([Phone, Type.Null()])),
  user_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
});
export const SpecialistParams = Type.Object({ id: Uuid });
const ListQuery = Type.Object({ specialty: Type.Optional(Type.String({ maxLength: 200 })) });

const EDITORS: readonly Role[] = ['owner', 'admin'];

export type SpecialistFields = Static<typeof SpecialistBody>;

/** The specialist once the read model shows it (else a 202, nothing failed). */
export async function visibleSpecialist(db: Dependencies['db'], specialistId: string): Promise<SpecialistRow> {
  const row = await findSpecialist(db, specialistId);
  if (!row) throw new NotVisibleYet(specialistId);
  return row;
}

async function run(deps: Dependencies, specialistId: string, command: SpecialistCommand, request: FastifyRequest) {
  const { position } = await deps.handle(specialistDecider, specialistStream(specialistId), command, metadataOf(request));
  await awaitVisible(deps, position, ['specialists'], specialistId, `/api/v1/specialists/${specialistId}`);
}

/** The specialist, once the caller may act on it with one of these roles (404 when they cannot see it). */
export async function authorizedSpecialist(deps: Dependencies, request: FastifyRequest, specialistId: string, roles: readonly Role[]): Promise<SpecialistRow> {
  const row = await findSpecialist(deps.db, specialistId);
  await authorizeInOrganization(deps, request, row?.organization_id, roles);
  return row!;
}

/** The fields of a body as domain changes: phones in E.164, a linked user a member of the organization. */
async function changesOf(deps: Dependencies, organizationId: string, body: Partial<SpecialistFields>): Promise<SpecialistChanges> {
  if (body.user_id && !(await findMember(deps.db, organizationId, body.user_id))) {
    throw new DomainError('invalid', 'Invalid input.', { user_id: ['No staff member of this organization with this id.'] });
  }
  return {
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.specialty === undefined ? {} : { specialty: body.specialty }),
    ...(body.phone === undefined ? {} : { phone: body.phone === null ? null : deps.normalizePhone(body.phone)! }),
    ...(body.user_id === undefined ? {} : { userId: body.user_id }),
  };
}

/** Adds a specialist to the organization (the caller's right to is checked by the route); the row once visible. */
export async function addSpecialist(deps: Dependencies, request: FastifyRequest, organizationId: string, body: SpecialistFields): Promise<SpecialistRow> {
  const changes = await changesOf(deps, organizationId, body);
  const details = { name: body.name, specialty: changes.specialty ?? '', phone: changes.phone ?? null, userId: changes.userId ?? null };
  const specialistId = deps.newId();
  await run(deps, specialistId, { type: 'CreateSpecialist', data: { specialistId, organizationId, details, now: deps.now().toISOString() } }, request);
  return visibleSpecialist(deps.db, specialistId);
}

/** Changes the fields given of an authorized specialist; the row once visible. */
export async function changeSpecialist(deps: Dependencies, request: FastifyRequest, specialist: SpecialistRow, body: Partial<SpecialistFields>): Promise<SpecialistRow> {
  const changes = await changesOf(deps, specialist.organization_id, body);
  await run(deps, specialist.id, { type: 'UpdateSpecialist', data: { changes, now: deps.now().toISOString() } }, request);
  return visibleSpecialist(deps.db, specialist.id);
}

/** Removes an authorized specialist: no new bookings; booked appointments stay. */
export async function removeSpecialist(deps: Dependencies, request: FastifyRequest, specialist: SpecialistRow): Promise<void> {
  await run(deps, specialist.id, { type: 'RemoveSpecialist', data: { now: deps.now().toISOString() } }, request);
}

export const specialistRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  app.post('/organizations/:org/specialists', {
    config: { access: { kind: 'organization', param: 'org', roles: EDITORS } },
    schema: {
      tags: ['specialists'],
      summary: 'Add a specialist (owner, admin).',
      params: OrgParams,
      body: SpecialistBody,
      response: { 201: SpecialistReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const row = await addSpecialist(deps, request, organizationGrantOf(request).organizationId, request.body);
    return reply.code(201).send(specialistReply(row, true));
  });

  app.get('/organizations/:org/specialists', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['specialists'],
      summary: 'The organization’s specialists (public; staff also see phones and accounts).',
      params: OrgParams,
      querystring: ListQuery,
      response: { 200: Type.Array(SpecialistReply), ...errorReplies(400, 404) },
    },
  }, async (request) => {
    const organizationId = request.params.org;
    if (!(await findOrganization(db, organizationId))) throw new DomainError('not_found', 'Not found.');
    const staff = await isStaffViewer(deps, request, organizationId);
    const filter = request.query.specialty ? { specialty: request.query.specialty } : {};
    return (await listSpecialists(db, organizationId, filter)).map((row) => specialistReply(row, staff));
  });

  app.get('/specialists/:id', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['specialists'],
      summary: 'One specialist (public).',
      params: SpecialistParams,
      response: { 200: SpecialistReply, ...errorReplies(400, 404) },
    },
  }, async (request) => {
    const row = await findSpecialist(db, request.params.id);
    if (!row) throw new DomainError('not_found', 'Not found.');
    return specialistReply(row, await isStaffViewer(deps, request, row.organization_id));
  });

  app.patch('/specialists/:id', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['specialists'],
      summary: 'Change a specialist (owner, admin).',
      params: SpecialistParams,
      body: Type.Partial(SpecialistBody),
      response: { 200: SpecialistReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const specialist = await authorizedSpecialist(deps, request, request.params.id, EDITORS);
    return specialistReply(await changeSpecialist(deps, request, specialist, request.body), true);
  });

  app.delete('/specialists/:id', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['specialists'],
      summary: 'Remove a specialist: no new bookings; booked appointments stay (owner, admin).',
      params: SpecialistParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    await removeSpecialist(deps, request, await authorizedSpecialist(deps, request, request.params.id, EDITORS));
    return reply.code(204).send(null);
  });
};

