import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Claim } from '../../events/scheduling/schedule.js';
import { serviceStream, type ServiceDetails } from '../../events/scheduling/service.js';
import { localDate } from '../../commands/scheduling/zoned-time.js';
import { serviceDecider, type ActiveService } from '../../commands/scheduling/service.js';
import { invalid } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import type { EventStore } from '../../store/port.js';
import { activeBookingsOnDay } from '../../projections/scheduling/appointment-queries.js';
import { activeServiceOf, activeSpecialistOf } from './schedule-reads.js';
import type { BookRequest } from './booking.js';

// What a service of the catalogue sets for a booking by it (its duration,
// name and price, buffers and seats: booking.ts applies them), and which of
// the specialists who offer it a booking that names none tries, in which
// order (booking.ts, bookByService). The service is read from its stream,
// the source of truth; only the order of candidates comes from a read model.

/** What a service of the catalogue adds to the specialist's own rules for one claim. */
export interface ServiceRules {
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
  readonly seat: Claim['seat'];
}

export const NO_SERVICE: ServiceRules = { bufferBeforeMinutes: 0, bufferAfterMinutes: 0, seat: undefined };

/**
 * A service's buffers are added to the specialist's own for its claims (a
 * room aired after a massage, on top of the specialist's usual gap), so the
 * service's needs hold whoever offers it; a capacity over one makes the
 * claim a seat of a group session (src/commands/scheduling/conflicts.ts).
 */
export function rulesOf(serviceId: string, details: ServiceDetails): ServiceRules {
  const seat = details.capacity > 1 ? { serviceId, capacity: details.capacity } : undefined;
  return { bufferBeforeMinutes: details.bufferBeforeMinutes, bufferAfterMinutes: details.bufferAfterMinutes, seat };
}

/**
 * The buffers an appointment booked by a service keeps when it moves: the
 * service's as they are now, removed or not (a booked appointment stays, and
 * so do its buffers). Its seat moves with its slot (booking.ts).
 */
export async function rulesOfBooked(store: EventStore, serviceId: string | undefined): Promise<ServiceRules> {
  if (serviceId === undefined) return NO_SERVICE;
  const { state } = await loadState(store, serviceDecider, serviceStream(serviceId));
  return state.status === 'none' ? NO_SERVICE : rulesOf(serviceId, state.details);
}

/** The service a booking names, once it may be booked so: of this organization, with no duration of the request's own, by one who offers it. */
export async function offeredService(store: EventStore, request: BookRequest): Promise<ActiveService | undefined> {
  if (request.serviceId === undefined) return undefined;
  const offered = await activeServiceOf(store, request.serviceId, request.organizationId);
  if (!offered) throw invalid('service_id', 'No service of this organization with this id.');
  if (request.durationMinutes !== undefined) throw invalid('duration', 'The service sets the duration.');
  if (request.specialistId !== undefined && !offered.details.specialistIds.includes(request.specialistId)) {
    throw invalid('specialist_id', 'This specialist does not offer the service.');
  }
  return offered;
}

/**
 * The specialists who offer the service and can be booked (active, with
 * hours), the fewest active bookings on the day first, then by id. The
 * counts come from the read model and only order the tries: whether one is
 * free is decided on the day stream, by the claim.
 */
export async function candidatesFor(deps: { readonly store: EventStore; readonly db: Kysely<Database> }, offered: ActiveService, start: number): Promise<string[]> {
  const specialists = await Promise.all(offered.details.specialistIds.map((id) => activeSpecialistOf(deps.store, id, offered.organizationId)));
  const bookable = specialists.flatMap((s) => (s?.hours ? [{ id: s.specialistId, day: localDate(start, s.hours.timeZone) }] : []));
  // One organization's specialists share a zone (events/scheduling/schedule.ts): one date, one query, in the usual case.
  const days = [...new Set(bookable.map((s) => s.day))];
  const counts = await Promise.all(days.map(async (day) => [day, await activeBookingsOnDay(deps.db, bookable.map((s) => s.id), day)] as const));
  const byDay = new Map(counts);
  const load = (s: { id: string; day: string }) => byDay.get(s.day)?.get(s.id) ?? 0;
  return bookable.sort((a, b) => load(a) - load(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((s) => s.id);
}
