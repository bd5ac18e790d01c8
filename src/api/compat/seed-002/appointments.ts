import type { Static } from 'typebox';
import Type from 'typebox';
import { bookAppointment, changeAppointment, rescheduleAppointment, type RescheduleRequest } from '../../../workflows/scheduling/booking.js';
import { DomainError, invalid } from '../../../commands/errors.js';
import { Nullable } from '../../../events/schema.js';
import { listAppointments } from '../../../projections/scheduling/appointment-queries.js';
import type { AppointmentRow } from '../../../projections/scheduling/tables.js';
import { laterPosition, type Position } from '../../../store/port.js';
import { STAFF } from '../../access.js';
import { metadataOf } from '../../metadata.js';
import { actorRefOf, authorizedAppointment, BOOKERS, presentAppointment } from '../../scheduling/appointments.js';
import { appointmentReplyFor, Cost, Duration, LocalDate, periodFilter, StatusSchema, ZonedTime } from '../../scheduling/scheduling-schemas.js';
import { Timestamp, Uuid } from '../../schemas.js';
import type { Routes } from '../../dependencies.js';
import { organizationOf } from './organization.js';
import { drfReplies } from '../drf.js';
import { named } from '../../openapi/components.js';

// Seed 002's appointments, "CRUD for admin and managers": the booking,
// rescheduling and cancelling of /api/v1 (src/api/scheduling/appointments.ts),
// in DRF's words: relations are named as a ModelSerializer names them
// (`client` is the clinic's client record, `worker` the specialist, `place`),
// times carry their offset, durations are minutes, costs are minor units with
// their currency, as /api/v1 has them. A DELETE cancels: the appointment
// stays in the book as cancelled and its time is free again.

const staff = { access: { kind: 'authenticated' as const, principals: STAFF } };
const Params = Type.Object({ id: Uuid });
const Service = Type.String({ maxLength: 200 });
/** The most one read of the list takes (the query's own bound); the answer holds every page. */
const PAGE = 500;

const Appointment = named('Seed002Appointment', Type.Object({
  id: Uuid,
  organization: Uuid,
  client: Uuid,
  worker: Uuid,
  place: Nullable(Uuid),
  start: ZonedTime,
  end: ZonedTime,
  duration: Type.Integer({ description: 'Minutes.' }),
  time_zone: Type.String(),
  status: StatusSchema,
  service: Type.String(),
  cost: Nullable(Cost),
  cancel_reason: Nullable(Type.String()),
  cancelled_by: Nullable(Type.Object({ kind: Type.String(), id: Type.Optional(Type.String()) })),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'Seed 002: an appointment of the clinic.' }));

type V1Appointment = ReturnType<ReturnType<typeof appointmentReplyFor>>;

/** /api/v1's appointment (as its organization's staff see it) in this profile's names. */
function inSeedNames(a: V1Appointment): Static<typeof Appointment> {
  const { organization_id, client_id, specialist_id, place_id, ...rest } = a;
  return { ...rest, organization: organization_id, client: client_id, worker: specialist_id, place: place_id };
}

const SEED_NAMES: Record<string, string> = { organization_id: 'organization', client_id: 'client', specialist_id: 'worker', place_id: 'place' };

/** A refusal of the workflow names /api/v1's fields; a 400 here names this profile's. */
async function inSeedWords<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError) || !error.fields) throw error;
    const fields = Object.fromEntries(Object.entries(error.fields).map(([field, messages]) => [SEED_NAMES[field] ?? field, messages]));
    throw new DomainError(error.kind, error.message, fields, error.retryAfterSeconds);
  }
}

const BookBody = Type.Object({
  organization: Type.Optional(Uuid),
  client: Uuid,
  worker: Uuid,
  /** Left out: the place the worker's hours name at that time. */
  place: Type.Optional(Nullable(Uuid)),
  start: ZonedTime,
  duration: Duration,
  service: Type.Optional(Service),
  /** Left out or null: no price yet. */
  cost: Type.Optional(Nullable(Cost)),
});

/**
 * Every writable field, each optional: a frontend may send back the whole
 * appointment it read (the read-only fields are accepted and ignored) or
 * only what changes.
 */
const ChangeBody = Type.Object({
  client: Type.Optional(Uuid),
  worker: Type.Optional(Uuid),
  place: Type.Optional(Nullable(Uuid)),
  start: Type.Optional(ZonedTime),
  duration: Type.Optional(Duration),
  service: Type.Optional(Service),
  cost: Type.Optional(Nullable(Cost)),
  id: Type.Optional(Uuid),
  organization: Type.Optional(Uuid),
  end: Type.Optional(ZonedTime),
  time_zone: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(StatusSchema),
  cancel_reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  cancelled_by: Type.Optional(Nullable(Type.Object({ kind: Type.String({ maxLength: 32 }), id: Type.Optional(Type.String({ maxLength: 64 })) }))),
  created_at: Type.Optional(Timestamp),
  updated_at: Type.Optional(Timestamp),
});

const ListQuery = Type.Object({
  organization: Type.Optional(Uuid),
  worker: Type.Optional(Uuid),
  client: Type.Optional(Uuid),
  date: Type.Optional(LocalDate),
  status: Type.Optional(Type.Array(StatusSchema, { description: 'Repeat for several: ?status=pending&status=confirmed.' })),
  from: Type.Optional(ZonedTime),
  to: Type.Optional(ZonedTime),
});

const minutesOf = (row: AppointmentRow) => Math.round((new Date(row.ends_at).getTime() - new Date(row.starts_at).getTime()) / 60_000);

/**
 * The move a PUT asks for, against the appointment as it is: only what
 * differs. A place sent along with a move is kept (the whole appointment was
 * sent); a move without one is placed as /api/v1 places it (the place the
 * hours name at the new time, else its own).
 */
function moveOf(row: AppointmentRow, body: Static<typeof ChangeBody>): Omit<RescheduleRequest, 'appointmentId' | 'byClient' | 'now'> | undefined {
  const move = {
    ...(body.worker !== undefined && body.worker !== row.specialist_id ? { specialistId: body.worker } : {}),
    ...(body.start !== undefined && Date.parse(body.start) !== new Date(row.starts_at).getTime() ? { start: Date.parse(body.start) } : {}),
    ...(body.duration !== undefined && body.duration !== minutesOf(row) ? { durationMinutes: body.duration } : {}),
  };
  const moved = Object.keys(move).length > 0;
  if (!moved && (body.place === undefined || body.place === row.place_id)) return undefined;
  return { ...move, ...(body.place === undefined ? {} : { placeId: body.place }) };
}

/**
 * What an appointment keeps for life: its clinic, its client and its service
 * (to change them, cancel and book again). Its status is not a PUT's to set
 * (DELETE cancels): ignoring a new one would leave the frontend believing it.
 */
function checkKept(row: AppointmentRow, body: Static<typeof ChangeBody>): void {
  if (body.organization !== undefined && body.organization !== row.organization_id) throw invalid('organization', 'An appointment stays in its clinic.');
  if (body.status !== undefined && body.status !== row.status) throw invalid('status', 'The status is not changed by PUT: DELETE cancels the appointment.');
  if (body.client !== undefined && body.client !== row.client_id) throw invalid('client', 'An appointment’s client cannot be changed: cancel it and book again.');
  if (body.service !== undefined && body.service !== row.service) throw invalid('service', 'An appointment’s service cannot be changed: cancel it and book again.');
  if (body.cost === null && row.cost_amount !== null) throw invalid('cost', 'A price once set is changed, not removed.');
}

export const appointmentsRoutes: Routes = async (app, { deps }) => {
  const streams = { handle: deps.handle, store: deps.store, newId: deps.newId };
  const present = async (id: string, position: Position | undefined) => inSeedNames(await presentAppointment(deps, id, position, 'staff'));

  app.get('/appointments/', {
    config: staff,
    schema: {
      summary: 'The clinic’s appointments (admin, manager), oldest first, cancelled ones included; by worker, client, local date, status or period.',
      querystring: ListQuery,
      response: { 200: Type.Array(Appointment), ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { organizationId } = await organizationOf(deps, request, BOOKERS);
    const q = request.query;
    const filter = {
      organizationIds: [organizationId],
      ...(q.worker ? { specialistId: q.worker } : {}),
      ...(q.client ? { clientId: q.client } : {}),
      ...(q.date ? { day: q.date } : {}),
      ...periodFilter(q),
    };
    const rows: AppointmentRow[] = [];
    for (;;) {
      const page = await listAppointments(deps.db, { ...filter, limit: PAGE, offset: rows.length });
      rows.push(...page);
      if (page.length < PAGE) break;
    }
    return rows.map((row) => inSeedNames(appointmentReplyFor('staff')(row)));
  });

  app.post('/appointments/', {
    config: staff,
    schema: {
      summary: 'Book a client of the clinic with a worker (admin, manager). A time that is taken, for the worker, the place or the client, is a 409.',
      body: BookBody,
      response: { 201: Appointment, ...drfReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request, reply) => {
    const { organizationId } = await organizationOf(deps, request, BOOKERS);
    const { body } = request;
    const appointmentId = deps.newId();
    const settled = await inSeedWords(() => bookAppointment(streams, {
      appointmentId,
      organizationId,
      client: { kind: 'record', recordId: body.client },
      specialistId: body.worker,
      placeId: body.place,
      start: Date.parse(body.start),
      durationMinutes: body.duration,
      service: body.service,
      cost: body.cost,
      bookedBy: actorRefOf(request),
      now: deps.now(),
    }, metadataOf(request)));
    return reply.code(201).send(await present(appointmentId, settled.position));
  });

  app.get('/appointments/:id/', {
    config: staff,
    schema: { summary: 'One appointment of the clinic (admin, manager).', params: Params, response: { 200: Appointment, ...drfReplies(400, 401, 403, 404) } },
  }, async (request) => {
    const { row } = await authorizedAppointment(deps, request, request.params.id, BOOKERS, false);
    return inSeedNames(appointmentReplyFor('staff')(row));
  });

  app.put('/appointments/:id/', {
    config: staff,
    schema: {
      summary: 'Reschedule (worker, place, start, duration; to another day too) or change the cost (admin, manager). Fields left out stay as they are, ' +
        'read-only ones are ignored; the client and the service stay for life.',
      params: Params,
      body: ChangeBody,
      response: { 200: Appointment, ...drfReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request) => {
    const { row } = await authorizedAppointment(deps, request, request.params.id, BOOKERS, false);
    const { body } = request;
    checkKept(row, body);
    const now = deps.now();
    let position: Position | undefined;
    const move = moveOf(row, body);
    if (move) position = (await inSeedWords(() => rescheduleAppointment(streams, { appointmentId: row.id, ...move, byClient: false, now }, metadataOf(request)))).position;
    const cost = body.cost ?? undefined;
    if (cost && (Number(row.cost_amount) !== cost.amount || row.cost_currency !== cost.currency || row.cost_amount === null)) {
      const repriced = await changeAppointment(streams, row.id, { type: 'ChangeCost', data: { cost, now: now.toISOString() } }, metadataOf(request));
      position = laterPosition(position, repriced.position);
    }
    return present(row.id, position);
  });

  app.delete('/appointments/:id/', {
    config: staff,
    schema: {
      summary: 'Cancel an appointment (admin, manager): it stays in the book as cancelled, and its time is free again.',
      params: Params,
      response: { 204: Type.Null(), ...drfReplies(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const { row } = await authorizedAppointment(deps, request, request.params.id, BOOKERS, false);
    const command = { type: 'CancelAppointment' as const, data: { reason: '', by: actorRefOf(request), now: deps.now().toISOString() } };
    const { position } = await changeAppointment(streams, row.id, command, metadataOf(request));
    await deps.awaitProjections(position, ['appointments']);
    return reply.code(204).send(null);
  });
};
