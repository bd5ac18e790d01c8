import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { closedPlaces } from '../../workflows/scheduling/schedule-reads.js';
import { specialistDecider } from '../../commands/scheduling/specialist.js';
import { ROLES } from '../../events/organizations/organization.js';
import { DEFAULT_POLICY, specialistStream, type LocalInterval, type WorkingHours } from '../../events/scheduling/specialist.js';
import { findSpecialist } from '../../projections/scheduling/specialists.js';
import { STAFF } from '../access.js';
import { metadataOf } from '../metadata.js';
import { authorizeInOrganization } from './scheduling-access.js';
import { LocalDate } from './scheduling-schemas.js';
import { SpecialistParams } from './specialists.js';
import { errorReplies, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { named } from '../openapi/components.js';

// A specialist's working hours (seed 002): weekly intervals per place (several
// a day, the gaps are breaks), date exceptions (a day off, special hours), an
// IANA time zone, and the booking policy. Replaced as a whole by PUT.

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'Local HH:MM.' });
const EndTime = Type.String({
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
  description: 'Local HH:MM; at or before start: the next day; 24:00 is midnight.',
});
const Interval = Type.Object({ start: Time, end: EndTime, place_id: Type.Optional(Type.Union([Uuid, Type.Null()])) });
const Weekly = Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO: 1 Monday ... 7 Sunday.' }), ...Interval.properties });
const Exception = Type.Object({ date: LocalDate, intervals: Type.Array(Interval, { maxItems: 24, description: 'Empty: a day off.' }) });

const Policy = {
  slot_step_minutes: Type.Integer({ minimum: 5, maximum: 240, description: `Default ${DEFAULT_POLICY.stepMinutes}.` }),
  buffer_before_minutes: Type.Integer({ minimum: 0, maximum: 240, description: `Default ${DEFAULT_POLICY.bufferBeforeMinutes}.` }),
  buffer_after_minutes: Type.Integer({ minimum: 0, maximum: 240, description: `Default ${DEFAULT_POLICY.bufferAfterMinutes}.` }),
  min_notice_minutes: Type.Integer({ minimum: 0, maximum: 43_200, description: `Default ${DEFAULT_POLICY.minNoticeMinutes}.` }),
  horizon_days: Type.Integer({ minimum: 1, maximum: 366, description: `Default ${DEFAULT_POLICY.horizonDays}.` }),
  max_bookings_per_day: Type.Integer({ minimum: 1, maximum: 1000, description: 'Appointments a day at most (a seat of a group session is one). Absent: no limit.' }),
};

export const HoursBody = Type.Object({
  time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA, e.g. Europe/Moscow.' }),
  weekly: Type.Array(Weekly, { maxItems: 100 }),
  exceptions: Type.Optional(Type.Array(Exception, { maxItems: 400 })),
  slot_step_minutes: Type.Optional(Policy.slot_step_minutes),
  buffer_before_minutes: Type.Optional(Policy.buffer_before_minutes),
  buffer_after_minutes: Type.Optional(Policy.buffer_after_minutes),
  min_notice_minutes: Type.Optional(Policy.min_notice_minutes),
  horizon_days: Type.Optional(Policy.horizon_days),
  max_bookings_per_day: Type.Optional(Policy.max_bookings_per_day),
});

export type HoursFields = Static<typeof HoursBody>;

const IntervalReply = Type.Object({ start: Type.String(), end: Type.String(), place_id: Type.Union([Uuid, Type.Null()]) });
export const HoursReply = named('WorkingHours', Type.Object({
  specialist_id: Uuid,
  /** Null until hours are set. */
  time_zone: Type.Union([Type.String(), Type.Null()]),
  weekly: Type.Array(Type.Object({ weekday: Type.Integer(), ...IntervalReply.properties })),
  exceptions: Type.Array(Type.Object({ date: Type.String(), intervals: Type.Array(IntervalReply) })),
  ...Policy,
  /** Absent: no limit. */
  max_bookings_per_day: Type.Optional(Policy.max_bookings_per_day),
}, { description: 'A specialist’s weekly working hours, date exceptions and booking policy, in their time zone.' }));

const toLocal = (i: { start: string; end: string; place_id?: string | null }): LocalInterval => ({ start: i.start, end: i.end, placeId: i.place_id ?? null });
const fromLocal = (i: LocalInterval) => ({ start: i.start, end: i.end, place_id: i.placeId });

export function hoursReply(specialistId: string, hours: WorkingHours | null) {
  const policy = hours?.policy ?? DEFAULT_POLICY;
  return {
    specialist_id: specialistId,
    time_zone: hours?.timeZone ?? null,
    weekly: (hours?.weekly ?? []).map((w) => ({ weekday: w.weekday, ...fromLocal(w) })),
    exceptions: (hours?.exceptions ?? []).map((e) => ({ date: e.date, intervals: e.intervals.map(fromLocal) })),
    slot_step_minutes: policy.stepMinutes,
    buffer_before_minutes: policy.bufferBeforeMinutes,
    buffer_after_minutes: policy.bufferAfterMinutes,
    min_notice_minutes: policy.minNoticeMinutes,
    horizon_days: policy.horizonDays,
    ...(policy.maxBookingsPerDay !== undefined && { max_bookings_per_day: policy.maxBookingsPerDay }),
  };
}

/** Replaces the working hours of a specialist the caller may edit (owner, admin; 404 when they cannot see it). */
export async function setWorkingHours(deps: Dependencies, request: FastifyRequest, specialistId: string, body: HoursFields) {
  const row = await findSpecialist(deps.db, specialistId);
  const { organizationId } = await authorizeInOrganization(deps, request, row?.organization_id, ['owner', 'admin']);
  const hours: WorkingHours = {
    timeZone: body.time_zone,
    weekly: body.weekly.map((w) => ({ weekday: w.weekday, ...toLocal(w) })),
    exceptions: (body.exceptions ?? []).map((e) => ({ date: e.date, intervals: e.intervals.map(toLocal) })).sort((a, b) => a.date.localeCompare(b.date)),
    policy: {
      stepMinutes: body.slot_step_minutes ?? DEFAULT_POLICY.stepMinutes,
      bufferBeforeMinutes: body.buffer_before_minutes ?? DEFAULT_POLICY.bufferBeforeMinutes,
      bufferAfterMinutes: body.buffer_after_minutes ?? DEFAULT_POLICY.bufferAfterMinutes,
      minNoticeMinutes: body.min_notice_minutes ?? DEFAULT_POLICY.minNoticeMinutes,
      horizonDays: body.horizon_days ?? DEFAULT_POLICY.horizonDays,
      ...(body.max_bookings_per_day !== undefined && { maxBookingsPerDay: body.max_bookings_per_day }),
    },
  };
  const placeIds = [...hours.weekly, ...hours.exceptions.flatMap((e) => e.intervals)].flatMap((i) => (i.placeId === null ? [] : [i.placeId]));
  const closed = [...(await closedPlaces(deps.store, placeIds, organizationId))];
  const { position } = await deps.handle(
    specialistDecider,
    specialistStream(row!.id),
    { type: 'SetWorkingHours', data: { hours, closedPlaces: closed, now: deps.now().toISOString() } },
    metadataOf(request)
  );
  await deps.awaitProjections(position, ['specialists']);
  return hoursReply(row!.id, hours);
}

export const workingHoursRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  app.put('/specialists/:id/working-hours', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['specialists'],
      summary: 'Replace the working hours (owner, admin).',
      params: SpecialistParams,
      body: HoursBody,
      response: { 200: HoursReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => setWorkingHours(deps, request, request.params.id, request.body));

  app.get('/specialists/:id/working-hours', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['specialists'],
      summary: 'The working hours (staff).',
      params: SpecialistParams,
      response: { 200: HoursReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const row = await findSpecialist(db, request.params.id);
    await authorizeInOrganization(deps, request, row?.organization_id, ROLES);
    return hoursReply(row!.id, row!.working_hours as WorkingHours | null);
  });
};
