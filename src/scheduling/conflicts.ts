// The one overlap rule, shared by the booking decision (src/commands/schedule.ts)
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
  if (candidate.specialistId === held.specialistId && overlaps(blockedStart(candidate), blockedEnd(candidate), blockedStart(held), blockedEnd(held))) kinds.push('specialist');
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
