import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { indexHeld, sharesSeat, type HeldIndex, type HeldTime } from '../../commands/scheduling/conflicts.js';
import { freeSlots } from '../../commands/scheduling/free-slots.js';
import type { ActiveService } from '../../commands/scheduling/service.js';
import type { ActiveSpecialist } from '../../commands/scheduling/specialist.js';
import { expandWorkingHours, type WorkingInterval } from '../../commands/scheduling/working-hours.js';
import { addDays, formatInstant } from '../../commands/scheduling/zoned-time.js';
import { activeServiceOf, activeSpecialistOf, closedPlaces, heldTimesAround } from '../../workflows/scheduling/schedule-reads.js';
import { LocalDate, ZonedTime } from './scheduling-schemas.js';
import { datesOf } from './slots.js';
import { Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import type { WorkingHours } from '../../events/scheduling/specialist.js';
import { named } from '../openapi/components.js';

// The free starts of a service (public): the specialist slot search
// (free-slots.ts) for every active specialist who offers it, with the
// service's length and buffers, read from the streams like the specialist's
// slots (slots.ts). A group session's slot already holding seats is still
// offered while seats remain: the seat rule is conflicts.ts's, the one the
// booking decision applies.

const MAX_DAYS = 31;

export const ServiceSlotsQuery = Type.Object({
  date: Type.Optional(LocalDate),
  from: Type.Optional(LocalDate),
  to: Type.Optional(Type.String({ format: 'date', description: `YYYY-MM-DD, at most ${MAX_DAYS} days from "from" (included).` })),
});

export const ServiceSlot = named('ServiceSlot', Type.Object({
  start: ZonedTime,
  end: ZonedTime,
  specialist_id: Uuid,
  place_id: Type.Union([Uuid, Type.Null()]),
  seats_left: Type.Integer({ description: 'Clients the slot still takes: 1 for a private service, the free seats of a group session.' }),
}, { description: 'A free start of a service with one of its specialists, and the seats it still takes.' }));

interface Found {
  readonly start: number;
  readonly end: number;
  readonly specialistId: string;
  readonly placeId: string | null;
  readonly seatsLeft: number;
  readonly timeZone: string;
}

/**
 * The claims around the dates: ordinary ones, and seats of group sessions
 * with their index (it answers what conflictsWithAny would, comparing only
 * the times near each candidate).
 */
interface Held {
  readonly plain: readonly HeldTime[];
  readonly seated: readonly HeldTime[];
  readonly seatedIndex: HeldIndex;
}

type Offering = ActiveSpecialist & { readonly hours: WorkingHours; readonly working: readonly WorkingInterval[] };

/** The free starts of one specialist for the service, over `held` (every claim of the organization's days around the dates). */
function slotsOfSpecialist(
  specialist: Offering,
  service: ActiveService,
  dates: readonly string[],
  held: Held,
  closed: ReadonlySet<string>,
  now: number,
): Found[] {
  const { hours } = specialist;
  const { details } = service;
  // The service's buffers come on top of the specialist's own.
  const policy = {
    ...hours.policy,
    bufferBeforeMinutes: hours.policy.bufferBeforeMinutes + details.bufferBeforeMinutes,
    bufferAfterMinutes: hours.policy.bufferAfterMinutes + details.bufferAfterMinutes,
  };
  const seat = details.capacity > 1 ? { seat: { serviceId: service.serviceId, capacity: details.capacity } } : {};
  // Seats are set aside here and weighed one candidate at a time below: the
  // search leaves out every time an ordinary claim holds, but a group slot
  // already holding seats may take more.
  const starts = freeSlots({
    specialistId: specialist.specialistId,
    timeZone: hours.timeZone,
    dates,
    durationMinutes: details.durationMinutes,
    policy,
    working: specialist.working,
    held: held.plain,
    seats: held.seated,
    closedPlaces: closed,
    now,
  });
  // Only this specialist's seats of this service can share a candidate's seat (sharesSeat decides which do).
  const sessions = held.seated.filter((other) => other.specialistId === specialist.specialistId && other.seat?.serviceId === service.serviceId);
  const found: Found[] = [];
  for (const slot of starts) {
    const candidate: HeldTime = {
      appointmentId: '',
      specialistId: specialist.specialistId,
      placeId: slot.placeId,
      clientId: undefined,
      start: slot.start,
      end: slot.end,
      bufferBeforeMinutes: policy.bufferBeforeMinutes,
      bufferAfterMinutes: policy.bufferAfterMinutes,
      ...seat,
    };
    if (held.seatedIndex.conflictsWith(candidate).size > 0) continue;
    // Each appointment once, as the seat rule counts them (a reschedule may hold two claims of one for a moment).
    const taken = new Set(sessions.filter((other) => sharesSeat(candidate, other)).map((other) => other.appointmentId)).size;
    const seatsLeft = details.capacity > 1 ? details.capacity - taken : 1;
    if (seatsLeft > 0) found.push({ start: slot.start, end: slot.end, specialistId: specialist.specialistId, placeId: slot.placeId, seatsLeft, timeZone: hours.timeZone });
  }
  return found;
}

/**
 * The free starts of the organization's service over every active specialist
 * who offers it, by start (then specialist); 404 for a service that is not
 * on offer there.
 */
export async function serviceSlots(deps: Pick<Dependencies, 'store' | 'now'>, organizationId: string, serviceId: string, query: { date?: string; from?: string; to?: string }) {
  const { store } = deps;
  const dates = datesOf(query, MAX_DAYS);
  const service = await activeServiceOf(store, serviceId, organizationId);
  if (!service) throw new DomainError('not_found', 'Not found.');
  const first = dates[0]!;
  const last = dates.at(-1)!;
  const offering: Offering[] = [];
  for (const specialist of await Promise.all(service.details.specialistIds.map((id) => activeSpecialistOf(store, id, organizationId)))) {
    if (specialist?.hours) offering.push({ ...specialist, hours: specialist.hours, working: expandWorkingHours(specialist.hours, addDays(first, -1), last) });
  }
  if (offering.length === 0) return [];
  const places = offering.flatMap((s) => s.working.flatMap((w) => (w.placeId === null ? [] : [w.placeId])));
  const [all, closed] = await Promise.all([heldTimesAround(store, organizationId, first, last), closedPlaces(store, places, organizationId)]);
  const seated = all.filter((h) => h.seat !== undefined);
  const held: Held = { plain: all.filter((h) => h.seat === undefined), seated, seatedIndex: indexHeld(seated) };
  const now = deps.now().getTime();
  const found = offering.flatMap((specialist) => slotsOfSpecialist(specialist, service, dates, held, closed, now));
  found.sort((a, b) => a.start - b.start || (a.specialistId < b.specialistId ? -1 : a.specialistId > b.specialistId ? 1 : 0));
  return found.map((s) => ({
    start: formatInstant(s.start, s.timeZone),
    end: formatInstant(s.end, s.timeZone),
    specialist_id: s.specialistId,
    place_id: s.placeId,
    seats_left: s.seatsLeft,
  }));
}
