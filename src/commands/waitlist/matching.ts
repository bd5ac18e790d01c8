import type { ServiceDetails } from '../../events/scheduling/service.js';
import { formatInstant, localDate, minutesOf } from '../scheduling/zoned-time.js';
import type { WaitlistEntry } from './entry.js';

// Which waiting entry a freed time suits: the one rule the offer follows.

const MINUTE = 60_000;

/** A freed time: the released claim's specialist, start, end and zone. */
export interface FreedTime {
  readonly specialistId: string;
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

/** Minutes after the local midnight of `day` (past 24:00 when the instant is on a later date). */
function localMinutes(instant: number, day: string, timeZone: string): number {
  const local = formatInstant(instant, timeZone);
  const minutes = minutesOf(local.slice(11, 16));
  return local.slice(0, 10) === day ? minutes : minutes + 24 * 60;
}

/**
 * The freed specialist offers the entry's service (and is the one it named),
 * and the service's length from the freed start fits in the freed time and
 * lies inside the entry's dates and hours, read in the specialist's zone.
 * What is offered is the time given back, nothing around it: so when the
 * day stream then refuses the booking for the specialist or the place,
 * someone else took that time. Whether it is still free is the day stream's
 * to decide when the offer books it.
 */
export function suits(entry: WaitlistEntry, service: Pick<ServiceDetails, 'specialistIds' | 'durationMinutes'>, freed: FreedTime): boolean {
  if (!service.specialistIds.includes(freed.specialistId)) return false;
  if (entry.specialistId !== null && entry.specialistId !== freed.specialistId) return false;
  const start = Date.parse(freed.start);
  if (start + service.durationMinutes * MINUTE > Date.parse(freed.end)) return false;
  const day = localDate(start, freed.timeZone);
  const { fromDate, toDate, fromTime, toTime } = entry.window;
  if (day < fromDate || day > toDate) return false;
  const from = localMinutes(start, day, freed.timeZone);
  const to = localMinutes(start + service.durationMinutes * MINUTE, day, freed.timeZone);
  return from >= minutesOf(fromTime) && to <= minutesOf(toTime);
}
