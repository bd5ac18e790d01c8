import type { LocalInterval, WorkingHours } from '../../events/scheduling/specialist.js';
import { addDays, datesBetween, isoWeekday, isValidDate, minutesOf, zonedToInstant } from './zoned-time.js';

// Weekly rules and date exceptions, expanded into real intervals. Expansion
// happens per local date and converts local times through the zone, so a
// 09:00-18:00 day is 9 hours whatever the date, and a 01:00-05:00 night is 3
// hours when clocks spring forward and 5 when they fall back.

/** An interval of real time (epoch ms) in which the specialist works. */
export interface WorkingInterval {
  readonly start: number;
  readonly end: number;
  readonly placeId: string | null;
}

/** Local intervals as minutes, `end` past 1440 when it ends the next day. */
function spans(intervals: readonly LocalInterval[]): { start: number; end: number; placeId: string | null }[] {
  return intervals.map((i) => {
    const start = minutesOf(i.start);
    let end = minutesOf(i.end);
    if (end <= start) end += 1440;
    return { start, end, placeId: i.placeId };
  });
}

function rulesOf(hours: WorkingHours, date: string): readonly LocalInterval[] {
  return hours.exceptions.find((e) => e.date === date)?.intervals ?? hours.weekly.filter((w) => w.weekday === isoWeekday(date));
}

/**
 * The working intervals of the rules of dates `from`..`to` (an interval
 * belongs to the date its rule names, even when it runs past midnight), in
 * order, with touching intervals at the same place merged into one.
 */
export function expandWorkingHours(hours: WorkingHours, from: string, to: string): WorkingInterval[] {
  const intervals: WorkingInterval[] = [];
  for (const date of datesBetween(from, to)) {
    for (const span of spans(rulesOf(hours, date))) {
      const start = zonedToInstant(date, span.start, hours.timeZone);
      const end = zonedToInstant(date, span.end, hours.timeZone);
      if (end > start) intervals.push({ start, end, placeId: span.placeId });
    }
  }
  intervals.sort((a, b) => a.start - b.start);
  const merged: WorkingInterval[] = [];
  for (const interval of intervals) {
    const last = merged.at(-1);
    if (last && last.placeId === interval.placeId && interval.start <= last.end) merged[merged.length - 1] = { ...last, end: Math.max(last.end, interval.end) };
    else merged.push(interval);
  }
  return merged;
}

/** Working intervals around an instant: the rules of the day before through the day after. */
export function workingIntervalsAround(hours: WorkingHours, day: string): WorkingInterval[] {
  return expandWorkingHours(hours, addDays(day, -1), addDays(day, 1));
}

const overlapping = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/**
 * Problems of a working-hours document, by field, in the API's names. Local
 * rules are compared on a weekly clock (a Sunday night shift reaches Monday),
 * so two intervals that would claim the same hour are refused.
 */
export function workingHoursProblems(hours: Pick<WorkingHours, 'weekly' | 'exceptions'>): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  const add = (field: string, message: string) => (problems[field] ??= []).includes(message) || problems[field]!.push(message);
  const week = 7 * 1440;
  const weekly = hours.weekly.map((w) => ({ ...spans([w])[0]!, offset: (w.weekday - 1) * 1440, source: w }));
  weekly.forEach((w, i) => {
    if (minutesOf(w.source.start) === minutesOf(w.source.end)) add(`weekly.${i}`, 'Start and end must differ.');
    for (let j = 0; j < i; j++) {
      const other = weekly[j]!;
      const a = { start: w.offset + w.start, end: w.offset + w.end };
      const b = { start: other.offset + other.start, end: other.offset + other.end };
      // Shifted by a week either way, so Sunday's night shift meets Monday's morning.
      if ([0, week, -week].some((shift) => overlapping(
        a,
        { start: b.start + shift, end: b.end + shift }
      ))) add(`weekly.${i}`, `Overlaps interval ${j} of the week.`);
    }
  });
  const seen = new Set<string>();
  hours.exceptions.forEach((exception, i) => {
    if (!isValidDate(exception.date)) add(`exceptions.${i}.date`, 'Date has wrong format. Use YYYY-MM-DD.');
    if (seen.has(exception.date)) add(`exceptions.${i}.date`, 'Each date may have one exception.');
    seen.add(exception.date);
    const local = spans(exception.intervals);
    local.forEach((span, k) => {
      if (minutesOf(exception.intervals[k]!.start) === minutesOf(exception.intervals[k]!.end)) add(
        `exceptions.${i}.intervals.${k}`,
        'Start and end must differ.'
      );
      for (let j = 0; j < k; j++) if (overlapping(span, local[j]!)) add(`exceptions.${i}.intervals.${k}`, `Overlaps interval ${j} of the date.`);
    });
  });
  return problems;
}
