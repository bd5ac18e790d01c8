// The one overlap rule, shared by the booking decision (src/commands/scheduling/schedule.ts)
// and the free-slot search (free-slots.ts), so a slot offered is a slot that
// can be booked.

const MINUTE = 60_000;

/** Time held by one appointment, as epoch ms. */
export interface HeldTime {
  readonly appointmentId: string;
  readonly specialistId: string;
  readonly placeId: string | null;
  /** Undefined for a slot search, which books for nobody in particular yet. */
  readonly clientId: string | undefined;
  readonly start: number;
  readonly end: number;
  readonly bufferBeforeMinutes: number;
  readonly bufferAfterMinutes: number;
}

export type ConflictKind = 'specialist' | 'place' | 'client';

export const overlaps = (aStart: number, aEnd: number, bStart: number, bEnd: number) => aStart < bEnd && bStart < aEnd;

/** The specialist's time around an appointment: its buffers are theirs, not the client's or the room's. */
export const blockedStart = (t: HeldTime) => t.start - t.bufferBeforeMinutes * MINUTE;
export const blockedEnd = (t: HeldTime) => t.end + t.bufferAfterMinutes * MINUTE;

/**
 * Which resources `candidate` would share with `held`: the specialist when
 * their buffered times overlap, the place and the client when the
 * appointments themselves do. Two times of one appointment (an old and a new
 * one during a reschedule) never conflict.
 */
export function conflictsBetween(candidate: HeldTime, held: HeldTime): ConflictKind[] {
  if (candidate.appointmentId === held.appointmentId) return [];
  const kinds: ConflictKind[] = [];
  if (candidate.specialistId === held.specialistId && overlaps(
    blockedStart(candidate),
    blockedEnd(candidate),
    blockedStart(held),
    blockedEnd(held)
  )) kinds.push('specialist');
  const meet = overlaps(candidate.start, candidate.end, held.start, held.end);
  if (meet && candidate.placeId !== null && candidate.placeId === held.placeId) kinds.push('place');
  if (meet && candidate.clientId !== undefined && candidate.clientId === held.clientId) kinds.push('client');
  return kinds;
}

export function conflictsWithAny(candidate: HeldTime, held: Iterable<HeldTime>): Set<ConflictKind> {
  const kinds = new Set<ConflictKind>();
  for (const other of held) for (const kind of conflictsBetween(candidate, other)) kinds.add(kind);
  return kinds;
}

/** An interval of one held time, and where that time is in the list given. */
type Positioned = { start: number; end: number; position: number };

/**
 * Intervals sorted by start, each with the latest end among it and those
 * before it: a search walks back from the last interval starting before its
 * end and stops as soon as nothing earlier can reach its start.
 */
class SortedIntervals {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly reach: number[] = [];
  private readonly positions: number[] = [];

  /** NaN bounds are left out: `overlaps` is false for them whatever they meet. */
  constructor(intervals: readonly Positioned[]) {
    const sorted = intervals.filter((i) => !Number.isNaN(i.start) && !Number.isNaN(i.end)).sort((a, b) => a.start - b.start);
    let reach = -Infinity;
    for (const interval of sorted) {
      reach = Math.max(reach, interval.end);
      this.starts.push(interval.start);
      this.ends.push(interval.end);
      this.reach.push(reach);
      this.positions.push(interval.position);
    }
  }

  /** How many intervals start before `end` (none when `end` is NaN). */
  private countStartingBefore(end: number): number {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.starts[middle]! < end) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Adds to `into` the positions of the intervals that `overlaps` [start, end). */
  collectOverlapping(start: number, end: number, into: number[]): void {
    for (let i = this.countStartingBefore(end) - 1; i >= 0 && this.reach[i]! > start; i--) {
      if (this.ends[i]! > start) into.push(this.positions[i]!);
    }
  }
}

/**
 * The held times of each specialist (or place, or client), sorted when first
 * asked for: a slot search only ever asks for its
 * specialist and a few places, so the organization's other specialists,
 * places and clients are never sorted.
 */
function sharersOf(held: readonly HeldTime[], resourceOf: (t: HeldTime) => unknown, interval: (t: HeldTime) => [number, number]) {
  const sorted = new Map<unknown, SortedIntervals>();
  return (resource: unknown): SortedIntervals => {
    let found = sorted.get(resource);
    if (!found) {
      const sharing: Positioned[] = [];
      held.forEach((t, position) => {
        if (resourceOf(t) !== resource) return;
        const [start, end] = interval(t);
        sharing.push({ start, end, position });
      });
      found = new SortedIntervals(sharing);
      sorted.set(resource, found);
    }
    return found;
  };
}

export interface HeldIndex {
  /** What `conflictsWithAny(candidate, held)` answers, Set order included. */
  conflictsWith(candidate: HeldTime): Set<ConflictKind>;
}

const blocked = (t: HeldTime): [number, number] => [blockedStart(t), blockedEnd(t)];
const booked = (t: HeldTime): [number, number] => [t.start, t.end];

/**
 * The held times prepared for many candidates (a slot search tries hundreds
 * against a thousand claims of the organization): a candidate can only
 * conflict with its specialist's, its place's or its client's times, and of
 * those only with the ones overlapping it, so only those are compared.
 */
export function indexHeld(heldTimes: Iterable<HeldTime>): HeldIndex {
  const held = [...heldTimes];
  const ofSpecialist = sharersOf(held, (t) => t.specialistId, blocked);
  const ofPlace = sharersOf(held, (t) => t.placeId, booked);
  const ofClient = sharersOf(held, (t) => t.clientId, booked);
  return {
    conflictsWith(candidate) {
      const positions: number[] = [];
      ofSpecialist(candidate.specialistId).collectOverlapping(blockedStart(candidate), blockedEnd(candidate), positions);
      if (candidate.placeId !== null) ofPlace(candidate.placeId).collectOverlapping(candidate.start, candidate.end, positions);
      if (candidate.clientId !== undefined) ofClient(candidate.clientId).collectOverlapping(candidate.start, candidate.end, positions);
      return kindsInHeldOrder(candidate, held, positions);
    },
  };
}

/** Compared in the order of `held`, once each, so the kinds are added as conflictsWithAny adds them. */
function kindsInHeldOrder(candidate: HeldTime, held: readonly HeldTime[], positions: number[]): Set<ConflictKind> {
  const kinds = new Set<ConflictKind>();
  if (positions.length === 0) return kinds;
  positions.sort((a, b) => a - b);
  positions.forEach((position, i) => {
    if (i > 0 && positions[i - 1] === position) return;
    for (const kind of conflictsBetween(candidate, held[position]!)) kinds.add(kind);
  });
  return kinds;
}
