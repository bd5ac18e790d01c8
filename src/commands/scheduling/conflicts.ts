// The one overlap rule, shared by the booking decision (src/commands/scheduling/schedule.ts)
// and the free-slot search (free-slots.ts), so a slot offered is a slot that
// can be booked. A group session is the one exception to "a specialist and a
// place hold one appointment at a time": its seats share one slot.

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
  /** A seat of a group session (Claim.seat): shared with `capacity - 1` others of the same session. */
  readonly seat?: { readonly serviceId: string; readonly capacity: number };
}

/** `seats`: the candidate's group session has no seat left. */
export type ConflictKind = 'specialist' | 'place' | 'client' | 'seats';

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

/** Seats of one group session: the same service, specialist and time. */
export function sharesSeat(a: HeldTime, b: HeldTime): boolean {
  return a.seat !== undefined && b.seat !== undefined && a.seat.serviceId === b.seat.serviceId
    && a.specialistId === b.specialistId && a.start === b.start && a.end === b.end;
}

/**
 * What `candidate` conflicts with among `held`. A seat shares its specialist
 * and place with the other seats of its session while fewer than its
 * `capacity` are held (each appointment counted once); the client rule still
 * holds between seats, so nobody takes two seats of one session. Anything
 * else overlapping it (a private appointment, another session, the same
 * service at another time) conflicts as usual.
 */
export function conflictsWithAny(candidate: HeldTime, held: Iterable<HeldTime>): Set<ConflictKind> {
  const kinds = new Set<ConflictKind>();
  const seated = new Set<string>();
  for (const other of held) {
    const seatmate = other.appointmentId !== candidate.appointmentId && sharesSeat(candidate, other);
    if (seatmate) seated.add(other.appointmentId);
    for (const kind of conflictsBetween(candidate, other)) if (!seatmate || kind === 'client') kinds.add(kind);
  }
  if (candidate.seat && seated.size >= candidate.seat.capacity) kinds.add('seats');
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
 * those only with the ones overlapping it (the seats of its session among
 * them), so only those are compared.
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

/** Compared in the order of `held`, once each, by conflictsWithAny itself: the index only narrows. */
function kindsInHeldOrder(candidate: HeldTime, held: readonly HeldTime[], positions: number[]): Set<ConflictKind> {
  if (positions.length === 0) return new Set();
  const ordered = [...new Set(positions)].sort((a, b) => a - b);
  return conflictsWithAny(candidate, ordered.map((position) => held[position]!));
}
