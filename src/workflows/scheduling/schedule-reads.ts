import { placeStream } from '../../events/scheduling/place.js';
import { scheduleStream } from '../../events/scheduling/schedule.js';
import { serviceStream } from '../../events/scheduling/service.js';
import { specialistStream } from '../../events/scheduling/specialist.js';
import type { HeldTime } from '../../commands/scheduling/conflicts.js';
import { addDays, datesBetween } from '../../commands/scheduling/zoned-time.js';
import type { EventStore } from '../../store/port.js';
import { loadState } from '../../commands/load-state.js';
import { placeDecider } from '../../commands/scheduling/place.js';
import { heldTime, scheduleDecider } from '../../commands/scheduling/schedule.js';
import { serviceDecider, type ActiveService } from '../../commands/scheduling/service.js';
import { specialistDecider, type ActiveSpecialist } from '../../commands/scheduling/specialist.js';

// Reads of the scheduling streams (the source of truth, not the read
// models): what a booking checks before it claims, and the in-memory fold of
// the days a slot search looks at.

/** The specialist when they are active and of this organization (any when none is given). */
export async function activeSpecialistOf(store: EventStore, specialistId: string, organizationId?: string): Promise<ActiveSpecialist | undefined> {
  const { state } = await loadState(store, specialistDecider, specialistStream(specialistId));
  if (state.status !== 'active') return undefined;
  return organizationId === undefined || state.organizationId === organizationId ? state : undefined;
}

/** The service when it is offered (active) by this organization. */
export async function activeServiceOf(store: EventStore, serviceId: string, organizationId: string): Promise<ActiveService | undefined> {
  const { state } = await loadState(store, serviceDecider, serviceStream(serviceId));
  return state.status === 'active' && state.organizationId === organizationId ? state : undefined;
}

export async function isOpenPlace(store: EventStore, placeId: string, organizationId: string): Promise<boolean> {
  const { state } = await loadState(store, placeDecider, placeStream(placeId));
  return state.status === 'active' && state.organizationId === organizationId;
}

/** Of these places, those that cannot be booked (removed, unknown, another organization's). */
export async function closedPlaces(store: EventStore, placeIds: Iterable<string>, organizationId: string): Promise<Set<string>> {
  const unique = [...new Set(placeIds)];
  const open = await Promise.all(unique.map((id) => isOpenPlace(store, id, organizationId)));
  return new Set(unique.filter((_, i) => !open[i]));
}

/**
 * Every time held in the organization's days from the day before `from` to
 * the day after `to`: a claim crossing midnight is in both its days, and is
 * counted once.
 */
export async function heldTimesAround(store: EventStore, organizationId: string, from: string, to: string): Promise<HeldTime[]> {
  const days = datesBetween(addDays(from, -1), addDays(to, 1));
  const states = await Promise.all(days.map((day) => loadState(store, scheduleDecider, scheduleStream(organizationId, day))));
  const byClaim = new Map<string, HeldTime>();
  for (const { state } of states) for (const claim of Object.values(state.held)) byClaim.set(claim.claimId, heldTime(claim));
  return [...byClaim.values()];
}
