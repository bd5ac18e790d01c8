import type { BookingPolicy } from '../../events/scheduling/specialist.js';
import { indexHeld, type HeldTime } from './conflicts.js';
import { fullDays } from './schedule.js';
import type { WorkingInterval } from './working-hours.js';
import { DAY_MS, localDate } from './zoned-time.js';

const MINUTE = 60_000;

export interface SlotSearch {
  readonly specialistId: string;
  readonly timeZone: string;
  /** Local dates whose slots are wanted (a slot belongs to the date it starts on). */
  readonly dates: readonly string[];
  readonly durationMinutes: number;
  readonly policy: BookingPolicy;
  /** Expanded from the day before the first date through the last. */
  readonly working: readonly WorkingInterval[];
  /** Every claim of the day streams around those dates. */
  readonly held: readonly HeldTime[];
  /** Seats of group sessions the caller weighs itself (service slots): not conflicts here, but bookings the daily limit counts. */
  readonly seats?: readonly HeldTime[];
  /** Places that can no longer be booked. */
  readonly closedPlaces: ReadonlySet<string>;
  readonly now: number;
}

export interface FreeSlot {
  readonly start: number;
  readonly end: number;
  readonly placeId: string | null;
}

/**
 * Slots start at each working interval's start and every `stepMinutes` after
 * it (elapsed time, so a step never lands in a daylight-saving gap), last the
 * whole duration inside the interval, keep the specialist's buffers clear of
 * their other appointments, and do not meet another appointment at the place.
 * Only slots from now + minimum notice to now + horizon are offered, and
 * none on a day the specialist has reached their daily limit.
 */
export function freeSlots(search: SlotSearch): FreeSlot[] {
  const { policy } = search;
  const duration = search.durationMinutes * MINUTE;
  const step = policy.stepMinutes * MINUTE;
  const earliest = search.now + policy.minNoticeMinutes * MINUTE;
  const latest = search.now + policy.horizonDays * DAY_MS;
  const full = fullDays([...search.held, ...(search.seats ?? [])], search.specialistId, search.timeZone, policy.maxBookingsPerDay);
  const dates = new Set(search.dates.filter((date) => !full.has(date)));
  const held = indexHeld(search.held);
  const slots: FreeSlot[] = [];
  for (const interval of search.working) {
    if (interval.placeId !== null && search.closedPlaces.has(interval.placeId)) continue;
    for (let start = interval.start; start + duration <= interval.end; start += step) {
      if (start < earliest || start > latest || !dates.has(localDate(start, search.timeZone))) continue;
      const candidate: HeldTime = {
        appointmentId: '',
        specialistId: search.specialistId,
        placeId: interval.placeId,
        clientId: undefined,
        start,
        end: start + duration,
        bufferBeforeMinutes: policy.bufferBeforeMinutes,
        bufferAfterMinutes: policy.bufferAfterMinutes,
      };
      if (held.conflictsWith(candidate).size === 0) slots.push({ start, end: start + duration, placeId: interval.placeId });
    }
  }
  return slots;
}
