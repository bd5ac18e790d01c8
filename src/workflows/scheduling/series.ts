import type { ActorRef, Claim } from '../../events/scheduling/schedule.js';
import { addDays, localDate, offsetMinutes, zonedToInstant } from '../../commands/scheduling/zoned-time.js';
import { laterPosition, type EventMetadata, type Position } from '../../store/port.js';
import { isActive } from '../../commands/scheduling/appointment.js';
import { DomainError, isConflict } from '../../commands/errors.js';
import { bookingRecordOf } from '../clients/client-links.js';
import { bookAppointment, changeAppointment, placedBooking, type BookingDeps, type BookRequest } from './booking.js';
import { checkClaim, loadAppointment, type ClaimDeps } from './claims.js';

// A weekly series booked in one request. Each occurrence is an appointment of
// its own (moved and cancelled alone), booked by the one booking workflow,
// with the series' id in its terms. All or nothing: every occurrence is
// checked on its day streams before anything is written, so a refused series
// appends nothing; an occurrence that loses a race after that check (another
// booking won its day in between) undoes the ones already booked, by the
// ordinary cancel, so their time is released and their history says why.
// The series has no stream of its own: its occurrences carry its id.

const MINUTE = 60_000;
const DAYS_A_WEEK = 7;

export const SERIES_CONFLICT = 'Some dates of the series conflict with the schedule.';
/** The reason recorded on the occurrences a series gave back. */
export const SERIES_UNDONE = 'series could not be booked whole';

export interface Repeat {
  readonly everyWeeks: number;
  readonly count: number;
}

export interface BookedOccurrence {
  readonly appointmentId: string;
  /** Where its adoption is in the log (read your writes). */
  readonly position: Position | undefined;
}

export interface BookedSeries {
  readonly seriesId: string;
  /** In the order of their dates. */
  readonly appointments: readonly BookedOccurrence[];
  /** Where the link of a client's own record is in the log, when their first booking here made it. */
  readonly joined: Position | undefined;
}

/**
 * The starts of the series: the first start's wall-clock time in the
 * specialist's zone, on the same weekday every `everyWeeks` weeks. So a
 * series at 10:00 stays at 10:00 across a daylight-saving change (its UTC
 * instant moves by the hour); a wall time a spring-forward gap skips is read
 * as zonedToInstant reads it (02:30 becomes 03:30).
 */
export function occurrenceStarts(start: number, timeZone: string, repeat: Repeat): number[] {
  const date = localDate(start, timeZone);
  const sinceMidnight = start + offsetMinutes(start, timeZone) * MINUTE - Date.parse(`${date}T00:00:00Z`);
  const minutes = Math.floor(sinceMidnight / MINUTE);
  const rest = sinceMidnight - minutes * MINUTE;
  return Array.from({ length: repeat.count }, (_, k) =>
    k === 0 ? start : zonedToInstant(addDays(date, k * repeat.everyWeeks * DAYS_A_WEEK), minutes, timeZone) + rest,
  );
}

/** Each message of a refusal, prefixed with the local date it refused. */
function dated(day: string, error: DomainError): string[] {
  const messages = error.fields ? Object.values(error.fields).flat() : [error.message];
  return messages.map((message) => `${day}: ${message}`);
}

const seriesConflict = (messages: string[]) => new DomainError('conflict', SERIES_CONFLICT, { repeat: messages });

/**
 * Every occurrence decided on the day streams as they stand, writing nothing.
 * The first occurrence is checked as a single booking is (an unknown
 * specialist or place, a start too soon: refused as such); the refusals of
 * the dates after it are gathered, each named by its local date.
 */
async function checkSeries(deps: BookingDeps, request: BookRequest, repeat: Repeat): Promise<{ starts: number[]; timeZone: string }> {
  const { client, organizationId, now } = request;
  // A series names its specialist: finding one free on every date is not offered.
  if (request.specialistId === undefined) throw new DomainError('invalid', 'Invalid input.', { specialist_id: ['A series names its specialist.'] });
  const first = await placedBooking(deps, request);
  const { timeZone } = first;
  const starts = occurrenceStarts(request.start, timeZone, repeat);
  // The record a client's own first booking would open, as bookAppointment plans it.
  const clientId = client.kind === 'record' ? client.recordId : (await bookingRecordOf(deps.store, client.accountId, organizationId, now.toISOString())).recordId;
  const conflicts: string[] = [];
  const invalid: string[] = [];
  for (const [k, start] of starts.entries()) {
    try {
      const where = k === 0 ? first : await placedBooking(deps, { ...request, start });
      const claim: Claim = { claimId: deps.newId(), appointmentId: request.appointmentId, organizationId, clientId, basis: -1, ...where };
      await checkClaim(deps.store, claim, now.toISOString());
    } catch (error) {
      if (!(error instanceof DomainError) || (error.kind !== 'conflict' && error.kind !== 'invalid')) throw error;
      (error.kind === 'conflict' ? conflicts : invalid).push(...dated(localDate(start, timeZone), error));
    }
  }
  // A date beyond the booking horizon is the request's fault: 400 before any conflict.
  if (invalid.length > 0) throw new DomainError('invalid', 'Invalid input.', { repeat: invalid });
  if (conflicts.length > 0) throw seriesConflict(conflicts);
  return { starts, timeZone };
}

export interface Cancel {
  readonly reason: string;
  readonly by: ActorRef;
  readonly now: Date;
}

/**
 * The ordinary cancel of one appointment while it is active (and, with
 * `aheadOnly`, has not begun); undefined when it is not, or when another
 * request changed its status first.
 */
async function cancelActive(deps: ClaimDeps, appointmentId: string, cancel: Cancel, aheadOnly: boolean, metadata: EventMetadata) {
  const { state } = await loadAppointment(deps.store, appointmentId);
  const appointment = state.appointment;
  if (!appointment || !isActive(appointment.status)) return undefined;
  if (aheadOnly && Date.parse(appointment.slot.start) <= cancel.now.getTime()) return undefined;
  try {
    return await changeAppointment(deps, appointmentId, { type: 'CancelAppointment', data: { reason: cancel.reason, by: cancel.by, now: cancel.now.toISOString() } }, metadata);
  } catch (error) {
    if (isConflict(error)) return undefined;
    throw error;
  }
}

/**
 * Books `repeat.count` occurrences of `request`, every `repeat.everyWeeks`
 * weeks at the same local time; the first is `request.appointmentId`. A 409
 * `{ repeat: ['YYYY-MM-DD: why', ...] }` names every date that conflicts
 * (nothing appended), or the date that lost a race (the ones booked before it
 * cancelled again).
 */
export async function bookSeries(deps: BookingDeps, request: BookRequest, repeat: Repeat, metadata: EventMetadata): Promise<BookedSeries> {
  const { starts, timeZone } = await checkSeries(deps, request, repeat);
  const seriesId = deps.newId();
  const booked: BookedOccurrence[] = [];
  let joined: Position | undefined;
  for (const [k, start] of starts.entries()) {
    const appointmentId = k === 0 ? request.appointmentId : deps.newId();
    try {
      const settled = await bookAppointment(deps, { ...request, appointmentId, start, seriesId }, metadata);
      booked.push({ appointmentId, position: settled.position });
      joined ??= settled.joined;
    } catch (error) {
      // Nobody was told of the series yet: give back what it holds, then say which date lost.
      const undo: Cancel = { reason: SERIES_UNDONE, by: request.bookedBy, now: request.now };
      for (const done of booked) await cancelActive(deps, done.appointmentId, undo, false, metadata);
      if (error instanceof DomainError && error.kind === 'conflict') throw seriesConflict(dated(localDate(start, timeZone), error));
      throw error;
    }
  }
  return { seriesId, appointments: booked, joined };
}

/**
 * Cancels the occurrences (of one series, as the caller found them) that are
 * still active and ahead; those begun, completed, cancelled or missed stay as
 * they are. Each is the ordinary cancel: its time released, its reminder
 * withdrawn, its history kept.
 */
export async function cancelSeries(
  deps: ClaimDeps,
  appointmentIds: readonly string[],
  cancel: Cancel,
  metadata: EventMetadata,
): Promise<{ cancelled: string[]; position: Position | undefined }> {
  const cancelled: string[] = [];
  let position: Position | undefined;
  for (const appointmentId of appointmentIds) {
    const settled = await cancelActive(deps, appointmentId, cancel, true, metadata);
    if (!settled) continue;
    cancelled.push(appointmentId);
    position = laterPosition(position, settled.position);
  }
  return { cancelled, position };
}
