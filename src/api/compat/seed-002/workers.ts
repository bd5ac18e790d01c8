import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import type { Role } from '../../../events/organizations/organization.js';
import { findOrganization } from '../../../projections/organizations/organization-queries.js';
import { findSpecialist, listSpecialists } from '../../../projections/scheduling/specialists.js';
import type { SpecialistRow } from '../../../projections/scheduling/tables.js';
import { STAFF } from '../../access.js';
import type { Dependencies, Routes } from '../../dependencies.js';
import { isStaffViewer } from '../../scheduling/scheduling-access.js';
import { specialistReply } from '../../scheduling/scheduling-schemas.js';
import { addSpecialist, authorizedSpecialist, changeSpecialist, removeSpecialist, SpecialistBody } from '../../scheduling/specialists.js';
import { Timestamp, Uuid } from '../../schemas.js';
import { organizationOf } from './organization.js';
import { drfReplies } from '../drf.js';
import { named } from '../../openapi/components.js';

// Seed 002's workers: our specialists (src/api/scheduling/specialists.ts),
// in DRF's snake case with the clinic as `organization`. The lists are
// public, as in /api/v1; changes are for the clinic's owners and admins (the
// seed's Admin).

const EDITORS: readonly Role[] = ['owner', 'admin'];

export const Worker = named('Seed002Worker', Type.Object({
  id: Uuid,
  organization: Uuid,
  name: Type.String(),
  specialty: Type.String(),
  /** Null until working hours are set. */
  time_zone: Type.Union([Type.String(), Type.Null()]),
  /** Staff of the clinic only. */
  phone: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  user_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'Seed 002: a worker (specialist) of the clinic.' }));

export const WorkerParams = Type.Object({ id: Uuid });

const { name, specialty, phone, user_id } = SpecialistBody.properties;
const Named = { organization: Type.Optional(Uuid) };
const WorkerBody = Type.Object({ ...Named, name, specialty, phone, user_id });
/** A whole worker, as a DRF frontend sends back what it read: the read-only fields are accepted and ignored. */
const WorkerReplacement = Type.Object({
  ...WorkerBody.properties,
  id: Type.Optional(Uuid),
  time_zone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  created_at: Type.Optional(Timestamp),
  updated_at: Type.Optional(Timestamp),
});
const ListQuery = Type.Object({ organization: Type.Optional(Uuid), specialty: Type.Optional(Type.String({ maxLength: 200 })) });

export function workerReply(row: SpecialistRow, staff: boolean) {
  const { organization_id: organization, ...fields } = specialistReply(row, staff);
  return { ...fields, organization };
}

/** The fields of /api/v1's specialist a worker body carries. */
function specialistFields(body: Static<typeof WorkerReplacement>) {
  return {
    name: body.name,
    ...(body.specialty === undefined ? {} : { specialty: body.specialty }),
    ...(body.phone === undefined ? {} : { phone: body.phone }),
    ...(body.user_id === undefined ? {} : { user_id: body.user_id }),
  };
}

export const workersRoutes: Routes = async (app, { deps }) => {
  const { db } = deps;

  /** A worker the caller may change; a worker is never moved to another clinic. */
  async function editable(request: FastifyRequest, id: string, organization: string | undefined) {
    const worker = await authorizedSpecialist(deps, request, id, EDITORS);
    if (organization !== undefined && organization.toLowerCase() !== worker.organization_id) {
      throw new DomainError('invalid', 'Invalid input.', { organization: ['A worker stays in its clinic.'] });
    }
    return worker;
  }

  app.get('/workers/', {
    config: { access: { kind: 'public' } },
    schema: {
      summary: 'The workers of a clinic (?organization=), or of every clinic (public; seed 002).',
      querystring: ListQuery,
      response: { 200: Type.Array(Worker), ...drfReplies(400, 404) },
    },
  }, async (request) => {
    const { organization, specialty } = request.query;
    const filter = specialty ? { specialty } : {};
    if (organization === undefined) return (await listSpecialists(db, null, filter)).map((row) => workerReply(row, false));
    if (!(await findOrganization(db, organization))) throw new DomainError('not_found', 'Not found.');
    const staff = await isStaffViewer(deps, request, organization);
    return (await listSpecialists(db, organization, filter)).map((row) => workerReply(row, staff));
  });

  app.post('/workers/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'Add a worker to the clinic (owner, admin; seed 002).',
      querystring: Type.Object(Named),
      body: WorkerBody,
      response: { 201: Worker, ...drfReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const { organizationId } = await organizationOf(deps, request, EDITORS);
    const row = await addSpecialist(deps, request, organizationId, specialistFields(request.body));
    return reply.code(201).send(workerReply(row, true));
  });

  app.get('/workers/:id/', {
    config: { access: { kind: 'public' } },
    schema: { summary: 'One worker (public; seed 002).', params: WorkerParams, response: { 200: Worker, ...drfReplies(400, 404) } },
  }, async (request) => {
    const row = await findSpecialist(db, request.params.id);
    if (!row) throw new DomainError('not_found', 'Not found.');
    return workerReply(row, await isStaffViewer(deps, request, row.organization_id));
  });

  app.put('/workers/:id/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'Change a worker: the fields sent (name is required, as a whole worker has one); owner, admin; seed 002.',
      params: WorkerParams,
      body: WorkerReplacement,
      response: { 200: Worker, ...drfReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const worker = await editable(request, request.params.id, request.body.organization);
    return workerReply(await changeSpecialist(deps, request, worker, specialistFields(request.body)), true);
  });

  app.delete('/workers/:id/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'Remove a worker: no new bookings; booked appointments stay (owner, admin; seed 002).',
      params: WorkerParams,
      response: { 204: Type.Null(), ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    await removeSpecialist(deps, request, await editable(request, request.params.id, undefined));
    return reply.code(204).send(null);
  });
};
