import t, { type Test } from 'tap';
import { formatInstant, isValidTimeZone, localDate, offsetMinutes, zonedToInstant } from '../../src/commands/scheduling/zoned-time.js';

// zoned-time.ts caches offsets per quarter hour and derives wall clocks from
// them. These tests hold it to the straightforward Intl.formatToParts
// reading it replaced (written out again below), instant by instant, across
// daylight-saving transitions, half- and quarter-hour zones and the odd
// historical offsets that are not whole minutes.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Daylight saving in whole hours both sides of the equator, half and
// quarter hours, a half-hour shift (Lord Howe), and no transitions at all.
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'America/St_Johns',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Asia/Kathmandu',
];
const WITHOUT_DAYLIGHT_SAVING = new Set(['Asia/Kolkata', 'Asia/Kathmandu']);

// ---- The reference: one formatToParts per question, no cache. ----

const referenceFormatters = new Map<string, Intl.DateTimeFormat>();

function referenceWallClock(instant: number, timeZone: string) {
  let format = referenceFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    referenceFormatters.set(timeZone, format);
  }
  const fields: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute!, second: fields.second! };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The original formula; `w` is the wall clock at `instant`. */
function offsetFromWallClock(instant: number, w: ReturnType<typeof referenceWallClock>): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / MINUTE);
}

function referenceOffsetMinutes(instant: number, timeZone: string): number {
  return offsetFromWallClock(instant, referenceWallClock(instant, timeZone));
}

/** offsetMinutes, localDate and formatInstant as they were, from one formatToParts. */
function reference(instant: number, timeZone: string): [number, string, string] {
  const w = referenceWallClock(instant, timeZone);
  const offset = offsetFromWallClock(instant, w);
  const shifted = new Date(Math.floor(instant / 1000) * 1000 + offset * MINUTE);
  const abs = Math.abs(offset);
  const formatted = `${shifted.toISOString().slice(0, 19)}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return [offset, `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`, formatted];
}

function referenceZonedToInstant(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const local = Date.UTC(y!, m! - 1, d!, 0, minutes);
  const before = referenceOffsetMinutes(local - DAY, timeZone);
  const after = referenceOffsetMinutes(local + DAY, timeZone);
  const early = local - before * MINUTE;
  const late = local - after * MINUTE;
  const earlyValid = referenceOffsetMinutes(early, timeZone) === before;
  const lateValid = referenceOffsetMinutes(late, timeZone) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (earlyValid) return early;
  if (lateValid) return late;
  return early;
}

/** Wall clock minus UTC in ms, to the second, for finding transitions. */
function referenceOffsetMs(second: number, timeZone: string): number {
  const w = referenceWallClock(second, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - second;
}

// ---- Helpers ----

/** A seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** The whole seconds in [from, to) where the zone's offset changes, found by scanning every 6 hours and bisecting. */
function transitions(timeZone: string, from: number, to: number): number[] {
  const found: number[] = [];
  const step = 6 * HOUR;
  for (let a = from; a < to; a += step) {
    const b = a + step;
    let before = a;
    let after = b;
    const offset = referenceOffsetMs(a, timeZone);
    if (referenceOffsetMs(b, timeZone) === offset) continue;
    while (after - before > 1000) {
      const middle = before + Math.floor((after - before) / 2000) * 1000;
      if (referenceOffsetMs(middle, timeZone) === offset) before = middle;
      else after = middle;
    }
    found.push(after);
  }
  return found;
}

/** Differences between the cached functions and the reference at these instants. */
function mismatches(timeZone: string, instants: Iterable<number>): { checked: number; wrong: string[] } {
  const wrong: string[] = [];
  let checked = 0;
  for (const instant of instants) {
    checked++;
    const got = [offsetMinutes(instant, timeZone), localDate(instant, timeZone), formatInstant(instant, timeZone)];
    const want = reference(instant, timeZone);
    if (got.some((value, i) => value !== want[i])) wrong.push(`${timeZone} ${new Date(instant).toISOString()}: got ${got.join(' ')}, want ${want.join(' ')}`);
  }
  return { checked, wrong };
}

function* every(from: number, to: number, step: number, jitter: () => number): Generator<number> {
  for (let instant = from; instant < to; instant += step) yield instant + jitter();
}

function agree(t: Test, timeZone: string, instants: Iterable<number>, what: string) {
  const { checked, wrong } = mismatches(timeZone, instants);
  t.same(wrong.slice(0, 5), [], `${timeZone}: ${what} (${checked} instants, ${wrong.length} wrong)`);
}

const YEAR_2026 = [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)] as const;
const MODERN = [Date.UTC(2024, 0, 1), Date.UTC(2028, 0, 1)] as const;

// ---- Tests ----

// Berlin: local mean time +00:53:28 until 1893-04-01 00:00 (23:06:32 UTC);
// Monrovia: -00:44:30 until 1972-01-07; Kathmandu: +05:30 to +05:45 in 1986;
// Kolkata: wartime +06:30 in the 1940s; Sao Paulo sprang forward at
// midnight (2018); Apia skipped 2011-12-30 altogether.
const HISTORICAL: [string, number, number][] = [
  ['Europe/Berlin', Date.UTC(1893, 2, 25), Date.UTC(1893, 3, 5)],
  ['Africa/Monrovia', Date.UTC(1972, 0, 1), Date.UTC(1972, 0, 15)],
  ['Asia/Kathmandu', Date.UTC(1985, 11, 25), Date.UTC(1986, 0, 10)],
  ['Asia/Kolkata', Date.UTC(1942, 0, 1), Date.UTC(1946, 0, 1)],
  ['America/Sao_Paulo', Date.UTC(2018, 9, 1), Date.UTC(2019, 2, 1)],
  ['Pacific/Apia', Date.UTC(2011, 11, 25), Date.UTC(2012, 0, 5)],
];

t.test('known offsets and dates around transitions', async (t) => {
  const at = (iso: string) => Date.parse(iso);
  t.equal(offsetMinutes(at('2026-03-29T00:59:59.999Z'), 'Europe/Berlin'), 60);
  t.equal(offsetMinutes(at('2026-03-29T01:00:00Z'), 'Europe/Berlin'), 120);
  t.equal(offsetMinutes(at('2026-10-25T00:59:59.999Z'), 'Europe/Berlin'), 120);
  t.equal(offsetMinutes(at('2026-10-25T01:00:00Z'), 'Europe/Berlin'), 60);
  t.equal(formatInstant(at('2026-03-29T01:00:00Z'), 'Europe/Berlin'), '2026-03-29T03:00:00+02:00');
  t.equal(zonedToInstant('2026-03-29', 150, 'Europe/Berlin'), at('2026-03-29T01:30:00Z'), '02:30 in the gap is 03:30 summer time');
  t.equal(zonedToInstant('2026-10-25', 150, 'Europe/Berlin'), at('2026-10-25T00:30:00Z'), 'the repeated 02:30 is the first one');
  t.equal(offsetMinutes(at('2026-06-01T00:00:00Z'), 'Asia/Kolkata'), 330);
  t.equal(offsetMinutes(at('2026-06-01T00:00:00Z'), 'Asia/Kathmandu'), 345);
  t.equal(formatInstant(at('2026-01-15T12:00:00Z'), 'America/St_Johns'), '2026-01-15T08:30:00-03:30');
  t.equal(formatInstant(at('2026-07-15T12:00:00Z'), 'America/St_Johns'), '2026-07-15T09:30:00-02:30');
  // Lord Howe moves its clocks by half an hour: 10:30 in winter, 11:00 in summer.
  t.equal(offsetMinutes(at('2026-07-01T00:00:00Z'), 'Australia/Lord_Howe'), 630);
  t.equal(offsetMinutes(at('2026-01-01T00:00:00Z'), 'Australia/Lord_Howe'), 660);
  t.equal(localDate(at('2026-03-28T23:59:59.999Z'), 'Europe/Berlin'), '2026-03-29');
  t.equal(localDate(at('2026-03-28T22:59:59.999Z'), 'Europe/Berlin'), '2026-03-28');
});

t.test('every 7 minutes of 2026, at a random second of each step', async (t) => {
  const jitter = random(1);
  for (const zone of ZONES) agree(t, zone, every(YEAR_2026[0], YEAR_2026[1], 7 * MINUTE, () => Math.floor(jitter() * 7 * MINUTE)), 'whole year');
});

t.test('around every transition of 2024-2027: each 7 minutes for two days either side, and second by second across it', async (t) => {
  const jitter = random(2);
  for (const zone of ZONES) {
    const found = transitions(zone, MODERN[0], MODERN[1]);
    if (!WITHOUT_DAYLIGHT_SAVING.has(zone)) t.ok(found.length >= 2, `${zone} has transitions to test (${found.length})`);
    for (const at of found) {
      agree(t, zone, every(at - 2 * DAY, at + 2 * DAY, 7 * MINUTE, () => Math.floor(jitter() * MINUTE)), `two days around ${new Date(at).toISOString()}`);
      agree(t, zone, every(at - 20 * MINUTE, at + 20 * MINUTE, 1000, () => [0, 1, 999][Math.floor(jitter() * 3)]!), `seconds around ${new Date(at).toISOString()}`);
    }
  }
});

t.test('historical offsets that are not whole minutes, or change off the quarter hour', async (t) => {
  const jitter = random(3);
  for (const [zone, from, to] of HISTORICAL) {
    const found = transitions(zone, from, to);
    t.ok(found.length >= 1, `${zone} changes between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
    for (const at of found) {
      agree(t, zone, every(at - DAY, at + DAY, 7 * MINUTE, () => Math.floor(jitter() * MINUTE)), `a day around ${new Date(at).toISOString()}`);
      agree(t, zone, every(at - 20 * MINUTE, at + 20 * MINUTE, 1000, () => [0, 1, 999][Math.floor(jitter() * 3)]!), `seconds around ${new Date(at).toISOString()}`);
    }
  }
  t.equal(localDate(Date.UTC(1893, 2, 31, 23, 6, 31), 'Europe/Berlin'), '1893-03-31', 'local mean time: 23:59:59');
  t.equal(localDate(Date.UTC(1893, 2, 31, 23, 6, 32), 'Europe/Berlin'), '1893-04-01', 'CET: 00:06:32');
});

t.test('random instants in random order, after the cache was filled and emptied by the tests above', async (t) => {
  const next = random(4);
  for (const zone of ZONES) {
    const instants = Array.from({ length: 5000 }, () => MODERN[0] + Math.floor(next() * (MODERN[1] - MODERN[0])));
    agree(t, zone, instants, 'random');
  }
});

t.test('far from the cached years, and invalid input, as before', async (t) => {
  const instants = [-1, -1500, 0, Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(1000, 0, 1), Date.UTC(8999, 11, 31, 23, 59, 59, 999), Date.UTC(9000, 0, 1), Date.UTC(9999, 11, 31), -62135596800000];
  for (const zone of ['Europe/Berlin', 'Asia/Kathmandu', 'America/St_Johns']) agree(t, zone, instants, 'edges of the cached range');
  t.throws(() => offsetMinutes(Number.NaN, 'Europe/Berlin'), RangeError);
  t.throws(() => localDate(Number.NaN, 'Europe/Berlin'), RangeError);
  t.throws(() => offsetMinutes(Date.UTC(2026, 0, 1), 'Mars/Olympus_Mons'), RangeError);
  t.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
  t.equal(isValidTimeZone('Asia/Kathmandu'), true);
});

t.test('local times to instants, around the 2026 and the historical transitions', async (t) => {
  const cases: [string, number, number][] = [...ZONES.map((zone): [string, number, number] => [zone, ...YEAR_2026]), ...HISTORICAL];
  for (const [zone, from, to] of cases) {
    const wrong: string[] = [];
    let checked = 0;
    for (const at of transitions(zone, from, to)) {
      for (let day = -2; day <= 2; day++) {
        const date = new Date(at + day * DAY).toISOString().slice(0, 10);
        for (let minutes = 0; minutes <= 1440 + 180; minutes += 5) {
          checked++;
          const got = zonedToInstant(date, minutes, zone);
          const want = referenceZonedToInstant(date, minutes, zone);
          if (got !== want) wrong.push(`${zone} ${date} +${minutes}min: got ${new Date(got).toISOString()}, want ${new Date(want).toISOString()}`);
        }
      }
    }
    t.same(wrong.slice(0, 5), [], `${zone} from ${new Date(from).toISOString().slice(0, 10)}: ${checked} local times, ${wrong.length} wrong`);
  }
});
