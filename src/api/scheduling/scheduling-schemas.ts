import Type from 'typebox';
import type { AppointmentRow, PlaceRow, SpecialistRow } from '../../projections/scheduling/tables.js';
import { STATUSES, type AppointmentStatus } from '../../events/scheduling/appointment.js';
import type { AppointmentFilter } from '../../projections/scheduling/appointment-queries.js';
import type { ActorRef } from '../../events/scheduling/schedule.js';
import { Nullable } from '../../events/schema.js';
import { formatInstant } from '../../commands/scheduling/zoned-time.js';
import { STAFF } from '../access.js';
import { MinorUnits, Timestamp, Uuid } from '../schemas.js';
import { named } from '../openapi/components.js';

// Shapes of the scheduling resources (seed 002, README.md "API"): snake
// case, times ISO 8601 with the specialist's offset, costs in minor units.

const iso = (value: Date | string) => new Date(value).toISOString();

export const Cost = Type.Object({
  amount: MinorUnits,
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. RUB.' }),
});

export const StatusSchema = Type.Enum(STATUSES);

/** With an offset, so "10:00 in Berlin" and "10:00 in Moscow" are never confused. */
export const ZonedTime = Type.String({ format: 'date-time', description: 'ISO 8601 with offset, e.g. 2026-03-29T10:00:00+02:00.' });
export const LocalDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const Duration = Type.Integer({ minimum: 5, maximum: 720, description: 'Minutes.' });

export const PlaceReply = named('Place', Type.Object({
  id: Uuid,
  organization_id: Uuid,
  name: Type.String(),
  address: Type.String(),
  description: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'A place appointments happen at: a room, a chair, an address.' }));

export function placeReply(row: PlaceRow) {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    address: row.address,
    description: row.description,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export const SpecialistReply = named('Specialist', Type.Object({
  id: Uuid,
  organization_id: Uuid,
  name: Type.String(),
  specialty: Type.String(),
  /** Null until working hours are set. */
  time_zone: Nullable(Type.String()),
  /** Staff of the organization only. */
  phone: Type.Optional(Nullable(Type.String())),
  user_id: Type.Optional(Nullable(Uuid)),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'A specialist who takes appointments (staff also see the phone and the linked account).' }));

export function specialistReply(row: SpecialistRow, staff: boolean) {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    specialty: row.specialty,
    time_zone: row.time_zone,
    ...(staff ? { phone: row.phone, user_id: row.user_id } : {}),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export const AppointmentReply = named('Appointment', Type.Object({
  id: Uuid,
  organization_id: Uuid,
  specialist_id: Uuid,
  place_id: Nullable(Uuid),
  /** The organization's client record. */
  client_id: Uuid,
  start: ZonedTime,
  end: ZonedTime,
  duration: Type.Integer({ description: 'Minutes.' }),
  time_zone: Type.String(),
  status: StatusSchema,
  /** As staff set it; '' when not set. */
  service: Type.String(),
  /** As staff set it; null when not set. */
  cost: Nullable(Cost),
  /** The service of the catalogue it was booked by; null when booked without one. */
  service_id: Nullable(Uuid),
  /** The weekly series it is one occurrence of; null for a single booking. */
  series_id: Nullable(Uuid),
  cancel_reason: Nullable(Type.String()),
  /** `id` only for staff of the organization, and only of a staff member. */
  cancelled_by: Nullable(Type.Object({ kind: Type.String(), id: Type.Optional(Type.String()) })),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'An appointment: who (client record), with whom (specialist), where, when, at what cost, and its status.' }));

/** A weekly series booked in one request (src/workflows/scheduling/series.ts). */
export const Repeat = Type.Object({
  every_weeks: Type.Integer({ minimum: 1, maximum: 4, description: 'Weeks from one occurrence to the next, at the same local time.' }),
  count: Type.Integer({ minimum: 2, maximum: 52, description: 'Occurrences, the first included.' }),
}, { description: 'Book a weekly series, all or nothing: each occurrence its own appointment.' });

/** Each occurrence as its own appointment, in the order of their dates. */
export const SeriesReply = named('AppointmentSeries', Type.Object({ series_id: Uuid, appointments: Type.Array(AppointmentReply) }, { description: 'A weekly series of appointments, booked at once.' }));

/** Who reads an appointment: staff of its organization, or anyone else allowed to (its client). */
export type Audience = 'staff' | 'client';

/**
 * An actor as the audience may see them. Staff of the organization see which
 * staff member acted; a client sees only the kind (staff ids never reach
 * clients); and nobody is shown a person's account id: the appointment names
 * the organization's record, and an account is the person's own.
 */
function actorFor(actor: ActorRef | null, audience: Audience): ActorRef | null {
  if (!actor) return null;
  const named = audience === 'staff' && actor.id !== undefined && (STAFF as readonly string[]).includes(actor.kind);
  return named ? { kind: actor.kind, id: actor.id } : { kind: actor.kind };
}

export const appointmentReplyFor = (audience: Audience) => (row: AppointmentRow) => {
  const start = new Date(row.starts_at).getTime();
  const end = new Date(row.ends_at).getTime();
  return {
    id: row.id,
    organization_id: row.organization_id,
    specialist_id: row.specialist_id,
    place_id: row.place_id,
    client_id: row.client_id,
    start: formatInstant(start, row.time_zone),
    end: formatInstant(end, row.time_zone),
    duration: Math.round((end - start) / 60_000),
    time_zone: row.time_zone,
    status: row.status,
    service: row.service,
    cost: row.cost_amount === null || row.cost_currency === null ? null : { amount: Number(row.cost_amount), currency: row.cost_currency },
    service_id: row.service_id,
    series_id: row.series_id,
    cancel_reason: row.cancel_reason,
    cancelled_by: actorFor(row.cancelled_by, audience),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
};

/** The reply for a viewer not known to be staff of the organization: actors by kind only. */
export const appointmentReply = appointmentReplyFor('client');

/** Status, period and page: the filters every appointment list shares. */
export const PeriodQuery = {
  status: Type.Optional(Type.Array(StatusSchema, { description: 'Repeat for several: ?status=pending&status=confirmed.' })),
  from: Type.Optional(ZonedTime),
  to: Type.Optional(ZonedTime),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Rows to skip; page with from/to beyond that.' })),
};

export function periodFilter(q: { status?: AppointmentStatus[]; from?: string; to?: string; limit?: number; offset?: number }): AppointmentFilter {
  return {
    ...(q.status ? { statuses: q.status } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    ...(q.limit ? { limit: q.limit } : {}),
    ...(q.offset ? { offset: q.offset } : {}),
  };
}
