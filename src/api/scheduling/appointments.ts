import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { bookByService, changeAppointment, rescheduleAppointment, type BookedClient, type BookRequest } from '../../workflows/scheduling/booking.js';
import { bookSeries, type BookedSeries } from '../../workflows/scheduling/series.js';
import { DomainError } from '../../commands/errors.js';
import type { AppointmentRow } from '../../projections/scheduling/tables.js';
import { ROLES, type Role } from '../../events/organizations/organization.js';
import type { ActorRef } from '../../events/scheduling/schedule.js';
import { findAppointment, isLinkedRecord, listAppointments } from '../../projections/scheduling/appointment-queries.js';
import { findOrganization } from '../../projections/organizations/organization-queries.js';
import { organizationGrantOf } from '../access.js';
import { actorOf, principalOf } from '../authenticate.js';
import { FORBIDDEN, NotVisibleYet } from '../errors.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from '../organizations/organizations.js';
import { authorizeInOrganization, EVERYONE } from './scheduling-access.js';
import { AppointmentReply, appointmentReplyFor, Cost, Duration, LocalDate, PeriodQuery, periodFilter, Repeat, SeriesReply, ZonedTime, type Audience } from './scheduling-schemas.js';
import { errorReplies, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { awaitVisible } from '../visibility.js';
import { laterPosition, type Position } from '../../store/port.js';

// Booking (seed 002): owners, admins and managers book a client record of
// the organization, and set the service and the price (or leave them empty);
// a client books themself, on their record there (found through their
// account's link, or opened and linked by this booking), and sets neither.
// An appointment names the record, never the person's account: a client
// reaches it through their link to the record. The no-double-booking rule is
// decided in the organization-day streams (src/workflows/scheduling/claims.ts); a
// conflict is a 409 naming the field that conflicts (specialist_id,
// place_id, client_id, or start for working hours). Booked by `service_id`,
// the service of the catalogue gives the duration and the price (staff may
// still set the price), and without `specialist_id` any free specialist who
// offers it takes the booking.

export const BOOKERS: readonly Role[] = ['owner', 'admin', 'manager'];

const BookBody = Type.Object({
  /** Required without service_id; left out with it: any free specialist who offers the service. */
  specialist_id: Type.Optional(Uuid),
  /** A service of the organization's catalogue: its name, duration and price. */
  service_id: Type.Optional(Uuid),
  /** Staff: a client record of the organization. A client booking themself leaves it out (or names their own account). */
  client_id: Type.Optional(Uuid),
  /** Left out: the place the working hours name at that time. */
  place_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  start: ZonedTime,
  /** Required without service_id; refused with it (the service sets it). */
  duration: Type.Optional(Duration),
  /** Staff only, without service_id; '' when left out. */
  service: Type.Optional(Type.String({ maxLength: 200 })),
  /** Staff only; left out, the service's price, or no price yet (null). */
  cost: Type.Optional(Cost),
  repeat: Type.Optional(Repeat),
}, {
  examples: [
    { service_id: '9b2f4c1e-7a3d-4e5f-8c6b-2d1e0f9a8b7c', client_id: '3f6c2b8e-5d41-4e0b-9a7c-1b2d3e4f5a60', start: '2026-12-01T10:00:00+03:00' },
    {
      specialist_id: '5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      client_id: '3f6c2b8e-5d41-4e0b-9a7c-1b2d3e4f5a60',
      start: '2026-12-01T10:00:00+03:00',
      duration: 45,
      service: 'Check-up',
      cost: { amount: 250000, currency: 'RUB' },
      repeat: { every_weeks: 1, count: 4 },
    },
  ],
});

const ChangeBody = Type.Object({
  specialist_id: Type.Optional(Uuid),
  place_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  start: Type.Optional(ZonedTime),
  duration: Type.Optional(Duration),
  cost: Type.Optional(Cost),
});

const ListQuery = Type.Object({
  specialist_id: Type.Optional(Uuid),
  client_id: Type.Optional(Uuid),
  date: Type.Optional(LocalDate),
  ...PeriodQuery,
});

export const AppointmentParams = Type.Object({ id: Uuid });

export const actorRefOf = (request: FastifyRequest): ActorRef => {
  const actor = actorOf(request);
  return actor.id === undefined ? { kind: actor.kind } : { kind: actor.kind, id: actor.id };
};

/**
 * The appointment once the caller may act on it, and how they see it: the
 * person linked to its record (when `clientMay`), or staff with one of the
 * roles. Anyone else finds nothing (404).
 */
export async function authorizedAppointment(
  deps: Dependencies,
  request: FastifyRequest,
  appointmentId: string,
  roles: readonly Role[],
  clientMay: boolean
): Promise<{ row: AppointmentRow; audience: Audience }> {
  const row = await findAppointment(deps.db, appointmentId);
  const principal = principalOf(request);
  if (principal.kind === 'client') {
    if (!row || !(await isLinkedRecord(deps.db, row.client_id, principal.id))) throw new DomainError('not_found', 'Not found.');
    if (!clientMay) throw new DomainError('forbidden', FORBIDDEN);
    return { row, audience: 'client' };
  }
  await authorizeInOrganization(deps, request, row?.organization_id, roles);
  return { row: row!, audience: 'staff' };
}

export async function presentAppointment(
  deps: Dependencies,
  appointmentId: string,
  position: Parameters<Dependencies['awaitProjections']>[0], audience: Audience
) {
  await awaitVisible(deps, position, ['appointments'], appointmentId, `/api/v1/appointments/${appointmentId}`);
  const row = await findAppointment(deps.db, appointmentId);
  if (!row) throw new NotVisibleYet(appointmentId);
  return appointmentReplyFor(audience)(row);
}

async function presentSeries(deps: Dependencies, series: BookedSeries, audience: Audience) {
  // A client who booked here may have just been linked to their record: they see the appointments from this reply on.
  await deps.awaitProjections(series.joined, ['client-records']);
  const appointments = [];
  for (const one of series.appointments) appointments.push(await presentAppointment(deps, one.appointmentId, one.position, audience));
  return { series_id: series.seriesId, appointments };
}

export const appointmentRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;
  const streams = { handle: deps.handle, store: deps.store, newId: deps.newId, db };

  app.post('/organizations/:org/appointments', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['appointments'],
      summary: 'Book an appointment (owner, admin, manager; or a client for themself), by a service of the catalogue with any free specialist who offers it too; with `repeat`, a weekly series of them.',
      params: OrgParams,
      body: BookBody,
      response: { 201: Type.Union([AppointmentReply, SeriesReply]), ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request, reply) => {
    const organizationId = request.params.org;
    const principal = principalOf(request);
    const { body } = request;
    let client: BookedClient;
    if (principal.kind === 'client') {
      if (body.client_id !== undefined && body.client_id !== principal.id) throw new DomainError('forbidden', FORBIDDEN);
      if (!(await findOrganization(db, organizationId))) throw new DomainError('not_found', 'Not found.');
      client = { kind: 'self', accountId: principal.id };
    } else {
      await authorizeInOrganization(deps, request, organizationId, BOOKERS);
      if (body.client_id === undefined) throw new DomainError('invalid', 'Invalid input.', { client_id: ['This field is required.'] });
      client = { kind: 'record', recordId: body.client_id };
    }
    const booking: BookRequest = {
      appointmentId: deps.newId(),
      organizationId,
      client,
      specialistId: body.specialist_id,
      serviceId: body.service_id,
      placeId: body.place_id,
      start: Date.parse(body.start),
      durationMinutes: body.duration,
      service: body.service,
      cost: body.cost,
      bookedBy: actorRefOf(request),
      now: deps.now(),
    };
    const audience = client.kind === 'self' ? 'client' : 'staff';
    if (body.repeat) return reply.code(201).send(await presentSeries(deps, await bookSeries(streams, booking, { everyWeeks: body.repeat.every_weeks, count: body.repeat.count }, metadataOf(request)), audience));
    const settled = await bookByService(streams, booking, metadataOf(request));
    // A client who booked here may have just been linked to their record: they see the appointment from this reply on.
    await deps.awaitProjections(settled.joined, ['client-records']);
    return reply.code(201).send(await presentAppointment(deps, settled.appointmentId, settled.position, audience));
  });

  app.get('/organizations/:org/appointments', {
    config: { access: { kind: 'organization', param: 'org', roles: ROLES } },
    schema: {
      tags: ['appointments'],
      summary: 'The organization’s appointments by specialist, client, local date, status or period; cancelled ones included.',
      params: OrgParams,
      querystring: ListQuery,
      response: { 200: Type.Array(AppointmentReply), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const q = request.query;
    const rows = await listAppointments(db, {
      organizationIds: [organizationGrantOf(request).organizationId],
      ...(q.specialist_id ? { specialistId: q.specialist_id } : {}),
      ...(q.client_id ? { clientId: q.client_id } : {}),
      ...(q.date ? { day: q.date } : {}),
      ...periodFilter(q),
    });
    return rows.map(appointmentReplyFor('staff'));
  });

  app.get('/appointments/:id', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['appointments'],
      summary: 'One appointment (the person linked to its client record, or staff of its organization).',
      params: AppointmentParams,
      response: { 200: AppointmentReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { row, audience } = await authorizedAppointment(deps, request, request.params.id, ROLES, true);
    return appointmentReplyFor(audience)(row);
  });

  app.patch('/appointments/:id', {
    config: { access: { kind: 'authenticated', principals: EVERYONE } },
    schema: {
      tags: ['appointments'],
      summary: 'Reschedule (start, duration, specialist, place; to another day too) or change the cost (owner, admin, manager).',
      params: AppointmentParams,
      body: ChangeBody,
      response: { 200: AppointmentReply, ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request) => {
    const { row, audience } = await authorizedAppointment(deps, request, request.params.id, BOOKERS, false);
    const { body } = request;
    const now = deps.now();
    let position: Position | undefined;
    if (body.start !== undefined || body.duration !== undefined || body.specialist_id !== undefined || body.place_id !== undefined) {
      const moved = await rescheduleAppointment(streams, {
        appointmentId: row.id,
        ...(body.specialist_id === undefined ? {} : { specialistId: body.specialist_id }),
        ...(body.place_id === undefined ? {} : { placeId: body.place_id }),
        ...(body.start === undefined ? {} : { start: Date.parse(body.start) }),
        ...(body.duration === undefined ? {} : { durationMinutes: body.duration }),
        byClient: false,
        now,
      }, metadataOf(request));
      position = moved.position;
    }
    if (body.cost !== undefined) {
      const repriced = await changeAppointment(streams, row.id, { type: 'ChangeCost', data: { cost: body.cost, now: now.toISOString() } }, metadataOf(request));
      position = laterPosition(position, repriced.position);
    }
    return presentAppointment(deps, row.id, position, audience);
  });
};
