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

function intlWallClock(instant: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute!, second: fields.second! };
}

const SECOND = 1000;
const floorToSecond = (instant: number) => Math.floor(instant / SECOND) * SECOND;

/**
 * Wall clock minus UTC, in ms (whole seconds: Intl drops the milliseconds).
 * Not rounded to minutes, because local mean times such as Berlin's
 * +00:53:28 shift the wall clock, and so the local date, by seconds.
 */
function intlOffsetMs(instant: number, timeZone: string): number {
  const w = intlWallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - floorToSecond(instant);
}

// formatToParts was a fifth of a slot search's time, yet a zone's offset
// only changes at its transitions. Offsets are therefore remembered per
// quarter hour of real time: modern transitions fall on quarter-hour
// boundaries, and the few that do not (local mean time, Monrovia's -00:44:30)
// are found to the second within their quarter hour, so results stay exact.
// This assumes no zone changes its offset twice within 15 minutes.
const BUCKET_MS = 15 * MINUTE;
// A few MB at most; a week of slots in one zone needs about a thousand.
const MAX_CACHED_BUCKETS = 100_000;
// Date.UTC reads years 0-99 as 1900-1999 and Intl writes years outside
// 1-9999 differently from Date: instants far from those keep the plain Intl path.
const CACHED_FROM = Date.UTC(1000, 0, 1);
const CACHED_UNTIL = Date.UTC(9000, 0, 1);

/** The offset over one quarter hour: constant, or changing at the whole second `at`. */
type BucketOffset = number | { readonly at: number; readonly before: number; readonly after: number };

const bucketOffsets = new Map<string, Map<number, BucketOffset>>();
let cachedBuckets = 0;

/** The first second of (`from`, `to`] whose offset is not `before`; `to`'s is not. */
function firstSecondChanged(from: number, to: number, before: number, timeZone: string): number {
  let unchanged = from;
  let changed = to;
  while (changed - unchanged > SECOND) {
    const middle = unchanged + Math.floor((changed - unchanged) / 2 / SECOND) * SECOND;
    if (intlOffsetMs(middle, timeZone) === before) unchanged = middle;
    else changed = middle;
  }
  return changed;
}

function bucketOffset(bucket: number, timeZone: string): BucketOffset {
  const first = bucket * BUCKET_MS;
  const last = first + BUCKET_MS - SECOND;
  const before = intlOffsetMs(first, timeZone);
  const after = intlOffsetMs(last, timeZone);
  if (before === after) return before;
  return { at: firstSecondChanged(first, last, before, timeZone), before, after };
}

function remember(timeZone: string, bucket: number, offset: BucketOffset): void {
  // Dropping everything is crude but cheap, and a busy server refills the few zones it serves at once.
  if (cachedBuckets >= MAX_CACHED_BUCKETS) {
    bucketOffsets.clear();
    cachedBuckets = 0;
  }
  let zone = bucketOffsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    bucketOffsets.set(timeZone, zone);
  }
  zone.set(bucket, offset);
  cachedBuckets++;
}

/** Wall clock minus UTC at `second`, from the cache; only for instants in the cached range. */
function cachedOffsetMs(second: number, timeZone: string): number {
  const bucket = Math.floor(second / BUCKET_MS);
  let offset = bucketOffsets.get(timeZone)?.get(bucket);
  if (offset === undefined) {
    offset = bucketOffset(bucket, timeZone);
    remember(timeZone, bucket, offset);
  }
  if (typeof offset === 'number') return offset;
  return second < offset.at ? offset.before : offset.after;
}

// Also false for NaN, which then fails in Intl as it always did.
const isCached = (instant: number) => instant >= CACHED_FROM && instant < CACHED_UNTIL;

/** The zone's offset from UTC at this instant, in minutes (Berlin in summer: 120). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const offsetMs = isCached(instant) ? cachedOffsetMs(floorToSecond(instant), timeZone) : intlOffsetMs(instant, timeZone);
  return Math.round(offsetMs / MINUTE);
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
  if (!isCached(instant)) {
    const w = intlWallClock(instant, timeZone);
    return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
  }
  const second = floorToSecond(instant);
  // The wall clock read as if it were UTC, so Date's UTC fields are the local ones.
  const wall = new Date(second + cachedOffsetMs(second, timeZone));
  return `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
}

/** ISO 8601 with the zone's offset at that instant: 2026-03-29T03:00:00+02:00. */
export function formatInstant(instant: number, timeZone: string): string {
  const offset = offsetMinutes(instant, timeZone);
  const shifted = new Date(Math.floor(instant / 1000) * 1000 + offset * MINUTE);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zone = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  const year = shifted.getUTCFullYear();
  // Outside four-digit years toISOString writes expanded years (+010000); it is also 2-3 times slower than the fields.
  if (!(year >= 1000 && year <= 9999)) return `${shifted.toISOString().slice(0, 19)}${zone}`;
  return `${year}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}T${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}${zone}`;
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
