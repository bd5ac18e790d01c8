import { BookingTerms, Claim, type ScheduleEvent, type SlotReleaseReason } from '../../events/scheduling/schedule.js';
import { conflictsWithAny, type ConflictKind, type HeldTime } from './conflicts.js';
import type { WorkingInterval } from './working-hours.js';
import { localDate } from './zoned-time.js';
import type { Decider } from '../decider.js';
import { DomainError } from '../errors.js';
import { fieldsOf, pick } from '../fields.js';

const CLAIM = fieldsOf(Claim);
const TERMS = fieldsOf(BookingTerms);

// The decider of one organization-day (`schedule-{org}-{date}`). It sees
// every claim that touches the day, so "a specialist, a place and a client
// never hold two overlapping active appointments" is decided here, and a
// race between two bookings is settled by one optimistic append. A client
// is their record at this organization (`clientId`, see events/schedule.ts).

export interface ScheduleState {
  /** Claims holding time, by claim id. */
  readonly held: Readonly<Record<string, Claim>>;
  /** Claims given up: never held again, so a late retry cannot resurrect one. */
  readonly released: readonly string[];
}

export type ScheduleCommand =
  /**
   * `working`: the specialist's working intervals around the claim, expanded
   * by the handler from their stream (deciders do no I/O), and
   * `maxBookingsPerDay` from their booking policy (absent: no limit).
   */
  | { type: 'ClaimSlot'; data: { claim: Claim; working: readonly WorkingInterval[]; maxBookingsPerDay?: number; now: string } }
  | { type: 'ReleaseSlot'; data: { claimId: string; reason: SlotReleaseReason; now: string } };

export const CONFLICT_FIELDS: Record<ConflictKind | 'hours', { field: string; message: string }> = {
  specialist: { field: 'specialist_id', message: 'The specialist has another appointment at this time.' },
  place: { field: 'place_id', message: 'The place is taken at this time.' },
  client: { field: 'client_id', message: 'The client has another appointment at this time.' },
  seats: { field: 'start', message: 'Every seat of this session is taken.' },
  hours: { field: 'start', message: 'The specialist does not work at this time (or not at this place).' },
};

export function bookingConflict(kinds: Iterable<ConflictKind | 'hours'>): DomainError {
  const errors: Record<string, string[]> = {};
  for (const kind of kinds) errors[CONFLICT_FIELDS[kind].field] = [CONFLICT_FIELDS[kind].message];
  return new DomainError('conflict', 'The appointment conflicts with the schedule.', errors);
}

export function heldTime(claim: Claim): HeldTime {
  return {
    appointmentId: claim.appointmentId,
    specialistId: claim.specialistId,
    placeId: claim.placeId,
    clientId: claim.clientId,
    start: Date.parse(claim.start),
    end: Date.parse(claim.end),
    bufferBeforeMinutes: claim.bufferBeforeMinutes,
    bufferAfterMinutes: claim.bufferAfterMinutes,
    ...(claim.seat && { seat: claim.seat }),
  };
}

function dailyLimitReached(limit: number): DomainError {
  return new DomainError('conflict', 'The appointment conflicts with the schedule.', { start: [`The specialist takes at most ${limit} bookings a day.`] });
}

/**
 * The specialist's appointments on a local day, each once (a seat is one),
 * `except` (the claim's own appointment) aside: a move within the day books
 * nothing more. Every claim of a day is held in that day's stream, so there
 * the count is whole; another day's stream sees only some of them, never more.
 */
export function bookingsOn(held: Iterable<DayBooking>, specialistId: string, day: string, except?: string): number {
  const appointments = new Set<string>();
  for (const other of held) {
    if (other.specialistId === specialistId && other.day === day && other.appointmentId !== except) appointments.add(other.appointmentId);
  }
  return appointments.size;
}

/** A held time as the daily limit counts it: whose, which appointment, on which local day of the specialist it starts. */
export interface DayBooking {
  readonly specialistId: string;
  readonly appointmentId: string;
  readonly day: string;
}

/** The local days (in the specialist's zone) on which they have reached their daily limit: a slot search offers nothing there. */
export function fullDays(held: readonly HeldTime[], specialistId: string, timeZone: string, maxBookingsPerDay: number | undefined): Set<string> {
  if (maxBookingsPerDay === undefined) return new Set();
  const bookings = held.filter((h) => h.specialistId === specialistId).map((h) => ({ specialistId, appointmentId: h.appointmentId, day: localDate(h.start, timeZone) }));
  return new Set([...new Set(bookings.map((b) => b.day))].filter((day) => bookingsOn(bookings, specialistId, day) >= maxBookingsPerDay));
}

/** Inside one working interval, at its place when it names one. */
function withinHours(claim: Claim, working: readonly WorkingInterval[]): boolean {
  const start = Date.parse(claim.start);
  const end = Date.parse(claim.end);
  return working.some((w) => w.start <= start && end <= w.end && (w.placeId === null || w.placeId === claim.placeId));
}

function decide(command: ScheduleCommand, state: ScheduleState): ScheduleEvent[] {
  switch (command.type) {
    case 'ClaimSlot': {
      const { claim, working, maxBookingsPerDay, now } = command.data;
      // Claiming again (a retry, or the settlement reactor finishing the job) changes nothing.
      if (state.held[claim.claimId]) return [];
      if (state.released.includes(claim.claimId)) throw new DomainError('conflict', 'This booking attempt was already given up; try again.');
      if (!withinHours(claim, working)) throw bookingConflict(['hours']);
      const kinds = conflictsWithAny(heldTime(claim), Object.values(state.held).map(heldTime));
      if (kinds.size > 0) throw bookingConflict(kinds);
      if (maxBookingsPerDay !== undefined && bookingsOn(Object.values(state.held), claim.specialistId, claim.day, claim.appointmentId) >= maxBookingsPerDay) throw dailyLimitReached(maxBookingsPerDay);
      const terms = claim.terms && { terms: pick(claim.terms, TERMS) };
      return [{ type: 'SlotClaimed', data: { schemaVersion: 2, ...pick(claim, CLAIM), ...terms, claimedAt: now } }];
    }
    case 'ReleaseSlot': {
      const { claimId, reason, now } = command.data;
      const claim = state.held[claimId];
      if (!claim) return [];
      return [{ type: 'SlotReleased', data: { claimId, appointmentId: claim.appointmentId, organizationId: claim.organizationId, reason, releasedAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: ScheduleState, event: ScheduleEvent): ScheduleState {
  switch (event.type) {
    case 'SlotClaimed': {
      const { schemaVersion: _version, claimedAt: _claimedAt, ...claim } = event.data;
      return { ...state, held: { ...state.held, [claim.claimId]: claim } };
    }
    case 'SlotReleased': {
      const { [event.data.claimId]: _released, ...held } = state.held;
      return { held, released: [...state.released, event.data.claimId] };
    }
    default:
      return state;
  }
}

export const scheduleDecider: Decider<ScheduleState, ScheduleCommand, ScheduleEvent> = {
  initialState: () => ({ held: {}, released: [] }),
  evolve,
  decide,
};
