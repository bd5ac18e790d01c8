import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { serviceDecider, type ServiceCommand } from '../../commands/scheduling/service.js';
import type { Role } from '../../events/organizations/organization.js';
import { serviceStream, type ServiceChanges, type ServiceDetails } from '../../events/scheduling/service.js';
import { findOrganization } from '../../projections/organizations/organization-queries.js';
import { findService, listServices } from '../../projections/scheduling/services.js';
import type { ServiceRow } from '../../projections/scheduling/tables.js';
import { activeSpecialistOf } from '../../workflows/scheduling/schedule-reads.js';
import { organizationGrantOf, STAFF } from '../access.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from '../organizations/organizations.js';
import { authorizeInOrganization } from './scheduling-access.js';
import { Cost } from './scheduling-schemas.js';
import { ServiceSlot, serviceSlots, ServiceSlotsQuery } from './service-slots.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import { NotVisibleYet } from '../errors.js';
import type { Dependencies } from '../dependencies.js';
import { awaitVisible } from '../visibility.js';
import { named } from '../openapi/components.js';

// The services catalogue (issue 15): what an organization offers, its
// length, price and who offers it. The catalogue is public, like the
// specialists; owners and admins change it. Bookings and slots read the
// service's stream (schedule-reads.ts), the lists read the `services` table.

const Minutes = (minimum: number, maximum: number, description: string) => Type.Integer({ minimum, maximum, description });

// No `default` in the schema: validation fills defaults in, and a PATCH of one field must not reset the others.
export const ServiceBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  duration_minutes: Minutes(5, 1440, 'Minutes.'),
  price: Cost,
  specialist_ids: Type.Array(Uuid, { maxItems: 200, description: 'Active specialists of this organization who offer it.' }),
  capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Clients one slot takes: 1 (the default) is a private appointment, more a group session.' })),
  buffer_before_minutes: Type.Optional(Minutes(0, 240, 'Kept free before each appointment of it, beyond the specialist’s own buffer; 0 by default.')),
  buffer_after_minutes: Type.Optional(Minutes(0, 240, 'Kept free after each appointment of it, beyond the specialist’s own buffer; 0 by default.')),
});
export type ServiceFields = Static<typeof ServiceBody>;

const ServiceParams = Type.Object({ service: Uuid });
const OrgServiceParams = Type.Object({ org: Uuid, service: Uuid });

export const ServiceReply = named('Service', Type.Object({
  id: Uuid,
  organization_id: Uuid,
  name: Type.String(),
  duration_minutes: Type.Integer(),
  price: Cost,
  specialist_ids: Type.Array(Uuid),
  capacity: Type.Integer(),
  buffer_before_minutes: Type.Integer(),
  buffer_after_minutes: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'A service on offer: its length, price, specialists and seats.' }));

const iso = (value: Date | string) => new Date(value).toISOString();

export function serviceReply(row: ServiceRow) {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    duration_minutes: row.duration_minutes,
    price: { amount: Number(row.price_amount), currency: row.price_currency },
    specialist_ids: row.specialist_ids,
    capacity: row.capacity,
    buffer_before_minutes: row.buffer_before_minutes,
    buffer_after_minutes: row.buffer_after_minutes,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

const EDITORS: readonly Role[] = ['owner', 'admin'];

/** The service once the read model shows it (else a 202, nothing failed). */
async function visibleService(db: Dependencies['db'], serviceId: string): Promise<ServiceRow> {
  const row = await findService(db, serviceId);
  if (!row) throw new NotVisibleYet(serviceId);
  return row;
}

async function run(deps: Dependencies, serviceId: string, command: ServiceCommand, request: FastifyRequest) {
  const { position } = await deps.handle(serviceDecider, serviceStream(serviceId), command, metadataOf(request));
  await awaitVisible(deps, position, ['services'], serviceId, `/api/v1/services/${serviceId}`);
}

/** The service, once the caller may act on it with one of these roles (404 when they cannot see it). */
async function authorizedService(deps: Dependencies, request: FastifyRequest, serviceId: string, roles: readonly Role[]): Promise<ServiceRow> {
  const row = await findService(deps.db, serviceId);
  await authorizeInOrganization(deps, request, row?.organization_id, roles);
  return row!;
}

/**
 * The fields of a body as domain changes. Specialists are checked on their
 * own streams (the source of truth): each must be active and of this
 * organization; a repeated id counts once.
 */
async function changesOf(deps: Dependencies, organizationId: string, body: Partial<ServiceFields>): Promise<ServiceChanges> {
  const specialistIds = body.specialist_ids && [...new Set(body.specialist_ids)];
  if (specialistIds) {
    const found = await Promise.all(specialistIds.map((id) => activeSpecialistOf(deps.store, id, organizationId)));
    const unknown = specialistIds.filter((_, i) => !found[i]);
    if (unknown.length > 0) {
      throw new DomainError('invalid', 'Invalid input.', { specialist_ids: unknown.map((id) => `No active specialist of this organization with the id ${id}.`) });
    }
  }
  const { name, duration_minutes, price, capacity, buffer_before_minutes, buffer_after_minutes } = body;
  return {
    ...(name === undefined ? {} : { name }),
    ...(duration_minutes === undefined ? {} : { durationMinutes: duration_minutes }),
    ...(price === undefined ? {} : { price: { amount: price.amount, currency: price.currency } }),
    ...(specialistIds === undefined ? {} : { specialistIds }),
    ...(capacity === undefined ? {} : { capacity }),
    ...(buffer_before_minutes === undefined ? {} : { bufferBeforeMinutes: buffer_before_minutes }),
    ...(buffer_after_minutes === undefined ? {} : { bufferAfterMinutes: buffer_after_minutes }),
  };
}

/** Adds a service to the organization (the caller's right to is checked by the route); the row once visible. */
async function addService(deps: Dependencies, request: FastifyRequest, organizationId: string, body: ServiceFields): Promise<ServiceRow> {
  const changes = await changesOf(deps, organizationId, body);
  const details: ServiceDetails = {
    name: body.name,
    durationMinutes: body.duration_minutes,
    price: changes.price!,
    specialistIds: changes.specialistIds!,
    capacity: changes.capacity ?? 1,
    bufferBeforeMinutes: changes.bufferBeforeMinutes ?? 0,
    bufferAfterMinutes: changes.bufferAfterMinutes ?? 0,
  };
  const serviceId = deps.newId();
  await run(deps, serviceId, { type: 'CreateService', data: { serviceId, organizationId, details, now: deps.now().toISOString() } }, request);
  return visibleService(deps.db, serviceId);
}

export const serviceRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  app.post('/organizations/:org/services', {
    config: { access: { kind: 'organization', param: 'org', roles: EDITORS } },
    schema: {
      tags: ['services'],
      summary: 'Add a service to the catalogue (owner, admin).',
      params: OrgParams,
      body: ServiceBody,
      response: { 201: ServiceReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const row = await addService(deps, request, organizationGrantOf(request).organizationId, request.body);
    return reply.code(201).send(serviceReply(row));
  });

  app.get('/organizations/:org/services', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['services'],
      summary: 'The organization’s services on offer (public).',
      params: OrgParams,
      response: { 200: Type.Array(ServiceReply), ...errorReplies(400, 404) },
    },
  }, async (request) => {
    const organizationId = request.params.org;
    if (!(await findOrganization(db, organizationId))) throw new DomainError('not_found', 'Not found.');
    return (await listServices(db, organizationId)).map(serviceReply);
  });

  app.get('/services/:service', {
    config: { access: { kind: 'public' } },
    schema: { tags: ['services'], summary: 'One service on offer (public).', params: ServiceParams, response: { 200: ServiceReply, ...errorReplies(400, 404) } },
  }, async (request) => {
    const row = await findService(db, request.params.service);
    if (!row) throw new DomainError('not_found', 'Not found.');
    return serviceReply(row);
  });

  app.patch('/services/:service', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['services'],
      summary: 'Change a service; bookings made before keep their length and price (owner, admin).',
      params: ServiceParams,
      body: Type.Partial(ServiceBody),
      response: { 200: ServiceReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const service = await authorizedService(deps, request, request.params.service, EDITORS);
    const changes = await changesOf(deps, service.organization_id, request.body);
    await run(deps, service.id, { type: 'UpdateService', data: { changes, now: deps.now().toISOString() } }, request);
    return serviceReply(await visibleService(db, service.id));
  });

  app.delete('/services/:service', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['services'],
      summary: 'Remove a service: nothing more is booked by it; booked appointments stay (owner, admin).',
      params: ServiceParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const service = await authorizedService(deps, request, request.params.service, EDITORS);
    await run(deps, service.id, { type: 'RemoveService', data: { now: deps.now().toISOString() } }, request);
    return reply.code(204).send(null);
  });

  app.get('/organizations/:org/services/:service/slots', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['services'],
      summary: 'Free starts of a service on a date (or from..to, up to 31 days) over every specialist who offers it, with the seats left (public).',
      params: OrgServiceParams,
      querystring: ServiceSlotsQuery,
      response: { 200: Type.Array(ServiceSlot), ...errorReplies(400, 404) },
    },
  }, async (request) => serviceSlots(deps, request.params.org, request.params.service, request.query));
};
