// Wall-clock time in an IANA time zone <-> instants, with the built-in Intl
// API only. Instants are epoch milliseconds; local dates are 'YYYY-MM-DD';
// local times are minutes after the local midnight (1440 and more reach
// into the next day, which is how hours across midnight are written).

const MINUTE = 60_000;
export const DAY_MS = 86_400_000;

// Building an Intl.DateTimeFormat costs far more than using one, and a week
// of slots converts thousands of instants: formatters are memoised per zone.
// They are immutable, so sharing them carries no state between requests.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute!, second: fields.second! };
}

/** The zone's offset from UTC at this instant, in minutes (Berlin in summer: 120). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / MINUTE);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function parseDate(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y!, m!, d!];
}

/**
 * The instant a local date and time names. Daylight-saving transitions are
 * resolved as Temporal's "compatible" disambiguation does: a time skipped by
 * a spring-forward gap moves forward by the gap (02:30 becomes 03:30), a
 * time repeated by a fall-back overlap is its first occurrence.
 */
export function zonedToInstant(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = parseDate(date);
  const local = Date.UTC(y, m - 1, d, 0, minutes);
  // Assumes at most one transition within a day either side, as every real zone has.
  const before = offsetMinutes(local - DAY_MS, timeZone);
  const after = offsetMinutes(local + DAY_MS, timeZone);
  const early = local - before * MINUTE;
  const late = local - after * MINUTE;
  const earlyValid = offsetMinutes(early, timeZone) === before;
  const lateValid = offsetMinutes(late, timeZone) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (earlyValid) return early;
  if (lateValid) return late;
  // In a gap: read the wall time with the offset in force before it.
  return early;
}

export function localDate(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** ISO 8601 with the zone's offset at that instant: 2026-03-29T03:00:00+02:00. */
export function formatInstant(instant: number, timeZone: string): string {
  const offset = offsetMinutes(instant, timeZone);
  const shifted = new Date(Math.floor(instant / 1000) * 1000 + offset * MINUTE);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${shifted.toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Dates from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/** ISO weekday: Monday 1 ... Sunday 7. */
export function isoWeekday(date: string): number {
  const [y, m, d] = parseDate(date);
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
}

/** 'HH:MM' (00:00 to 24:00) as minutes after midnight. */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

export function isValidDate(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
}
