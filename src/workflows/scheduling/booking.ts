import { appointmentStream, isReleasing, releasedSlotOf, releaseReasonOf } from '../../events/scheduling/appointment.js';
import { clientRecordStream } from '../../events/clients/client-record.js';
import type { ActorRef, BookingTerms, Claim, Cost } from '../../events/scheduling/schedule.js';
import type { BookingPolicy, WorkingHours } from '../../events/scheduling/specialist.js';
import { workingIntervalsAround } from '../../commands/scheduling/working-hours.js';
import { localDate } from '../../commands/scheduling/zoned-time.js';
import type { EventMetadata, Position } from '../../store/port.js';
import { appointmentDecider, isActive, superseded, type AppointmentCommand } from '../../commands/scheduling/appointment.js';
import { checkClaim, daysOf, loadAppointment, releaseClaim, settleClaim, type ClaimDeps, type Settled } from './claims.js';
import { bookingRecordOf, openRecordForBooking } from '../clients/client-links.js';
import { clientRecordDecider } from '../../commands/clients/client-record.js';
import { DomainError, invalid, isConflict } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { activeSpecialistOf, isOpenPlace } from './schedule-reads.js';
import type { ActiveSpecialist } from '../../commands/scheduling/specialist.js';

// Booking, rescheduling and status changes: the checks that need other
// streams (specialist, place, client record), then the claim (claims.ts).
// An appointment names the organization's client record, never an account.

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface BookingDeps extends ClaimDeps {
  readonly newId: () => string;
}

export interface Placement {
  readonly specialistId: string;
  /** undefined: the place the working hours name at that time. */
  readonly placeId: string | null | undefined;
  readonly start: number;
  readonly durationMinutes: number;
}

/** Who the appointment is for, as the booker names them. */
export type BookedClient =
  /** Staff book a record of their organization. */
  | { readonly kind: 'record'; readonly recordId: string }
  /** A client books themself: their record there is found, or opened and linked. */
  | { readonly kind: 'self'; readonly accountId: string };

export interface BookRequest extends Placement {
  readonly appointmentId: string;
  readonly organizationId: string;
  readonly client: BookedClient;
  /** As the request gave them (undefined: not given). */
  readonly service: string | undefined;
  readonly cost: Cost | null | undefined;
  readonly bookedBy: ActorRef;
  /** A seat of a group session (a service with a capacity over one). */
  readonly seat?: Claim['seat'];
  /** One occurrence of a weekly series (series.ts): recorded with the appointment. */
  readonly seriesId?: string;
  readonly now: Date;
}

/**
 * Prices come from the organization: a client booking for themself never
 * sets the service or the cost (they would reach the staff's book and the
 * reminder SMS as the organization's word). Staff may leave them empty.
 */
function termsOf(request: BookRequest): BookingTerms {
  const { client, service, cost, bookedBy, seriesId } = request;
  if (client.kind === 'self') {
    const errors: Record<string, string[]> = {};
    if (cost !== undefined) errors.cost = ['A client booking for themself does not set the price.'];
    if (service !== undefined) errors.service = ['A client booking for themself does not set the service.'];
    if (Object.keys(errors).length > 0) throw new DomainError('invalid', 'Invalid input.', errors);
  }
  return { service: service ?? '', cost: cost ?? null, bookedBy, ...(seriesId === undefined ? {} : { seriesId }) };
}

/** Staff book only an open record of their own organization (decided on its stream). */
async function checkRecord(deps: ClaimDeps, recordId: string, organizationId: string): Promise<void> {
  const { state } = await loadState(deps.store, clientRecordDecider, clientRecordStream(recordId));
  if (state.status !== 'open' || state.organizationId !== organizationId) throw invalid('client_id', 'No client of this organization with this id.');
}

/**
 * Staff may book right up to now (a walk-in); a client books at least the
 * minimum notice ahead. Nobody books in the past or beyond the horizon.
 */
function checkWindow(policy: BookingPolicy, start: number, now: number, byClient: boolean): void {
  const earliest = now + (byClient ? policy.minNoticeMinutes * MINUTE : 0);
  if (start < earliest) throw invalid('start', byClient ? `Book at least ${policy.minNoticeMinutes} minutes ahead.` : 'The start is in the past.');
  if (start > now + policy.horizonDays * DAY) throw invalid('start', `Book at most ${policy.horizonDays} days ahead.`);
}

async function specialistFor(deps: ClaimDeps, specialistId: string, organizationId: string): Promise<ActiveSpecialist & { hours: WorkingHours }> {
  const specialist = await activeSpecialistOf(deps.store, specialistId, organizationId);
  if (!specialist) throw invalid('specialist_id', 'No specialist of this organization with this id.');
  if (!specialist.hours) throw new DomainError('conflict', 'The appointment conflicts with the schedule.', { start: ['The specialist has no working hours yet.'] });
  return { ...specialist, hours: specialist.hours };
}

/** Where and when a claim holds time. */
type Placed = Pick<Claim, 'day' | 'days' | 'specialistId' | 'placeId' | 'start' | 'end' | 'timeZone' | 'bufferBeforeMinutes' | 'bufferAfterMinutes'>;

/** Checks a placement and fixes its time; the place defaults to the one the hours name. */
export async function placed(deps: ClaimDeps, placement: Placement, organizationId: string, fallbackPlace: string | null, byClient: boolean, now: Date): Promise<Placed> {
  const specialist = await specialistFor(deps, placement.specialistId, organizationId);
  const { hours } = specialist;
  const { timeZone, policy } = hours;
  checkWindow(policy, placement.start, now.getTime(), byClient);
  const start = placement.start;
  const end = start + placement.durationMinutes * MINUTE;
  const day = localDate(start, timeZone);
  const interval = workingIntervalsAround(hours, day).find((w) => w.start <= start && end <= w.end);
  const placeId = placement.placeId !== undefined ? placement.placeId : (interval?.placeId ?? fallbackPlace);
  if (placeId !== null && !(await isOpenPlace(deps.store, placeId, organizationId))) throw invalid('place_id', 'No place of this organization with this id.');
  return {
    day,
    days: daysOf(start, end, policy.bufferBeforeMinutes, policy.bufferAfterMinutes, timeZone),
    specialistId: placement.specialistId,
    placeId,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    timeZone,
    bufferBeforeMinutes: policy.bufferBeforeMinutes,
    bufferAfterMinutes: policy.bufferAfterMinutes,
  };
}

/**
 * `joined`: where the link of a client's own record is in the log (they may
 * have just been linked to the organization's record of them by booking).
 */
export async function bookAppointment(deps: BookingDeps, request: BookRequest, metadata: EventMetadata): Promise<Settled & { readonly joined: Position | undefined }> {
  const { appointmentId, organizationId, client, now } = request;
  const byClient = client.kind === 'self';
  const terms = termsOf(request);
  if (client.kind === 'record') await checkRecord(deps, client.recordId, organizationId);
  const where = await placed(deps, request, organizationId, null, byClient, now);
  // Decided before anything is written: the record a client's own booking
  // would open, and the time on every day it touches. A refusal appends nothing.
  const planned = client.kind === 'self' ? await bookingRecordOf(deps.store, client.accountId, organizationId, now.toISOString()) : { recordId: client.recordId, linked: true as const };
  const seat = request.seat && { seat: request.seat };
  const claim: Claim = { claimId: deps.newId(), appointmentId, organizationId, clientId: planned.recordId, basis: -1, terms, ...seat, ...where };
  if (!planned.linked || claim.days.length > 1) await checkClaim(deps.store, claim, now.toISOString());
  const { recordId, position: joined } = client.kind === 'self' && !planned.linked
    ? await openRecordForBooking(deps, { clientId: client.accountId, organizationId, planned, now }, metadata)
    : { recordId: planned.recordId, position: undefined };
  const settled = await settleClaim(deps, { ...claim, clientId: recordId }, metadata, now.toISOString());
  return { ...settled, joined };
}

export interface RescheduleRequest {
  readonly appointmentId: string;
  readonly specialistId?: string;
  readonly placeId?: string | null;
  readonly start?: number;
  readonly durationMinutes?: number;
  readonly byClient: boolean;
  readonly now: Date;
}

/**
 * Moves an appointment, to another day too: the new time is claimed and
 * adopted first, the old one released after, so the appointment is always
 * somewhere and never in two places. Of concurrent moves one wins each
 * round; a loser tries again on the new state (at most three times).
 */
export async function rescheduleAppointment(deps: BookingDeps, request: RescheduleRequest, metadata: EventMetadata): Promise<Settled> {
  const now = request.now.toISOString();
  for (let attempt = 1; ; attempt++) {
    const { state } = await loadAppointment(deps.store, request.appointmentId);
    const appointment = state.appointment;
    if (!appointment) throw new DomainError('not_found', 'Not found.');
    if (!isActive(appointment.status)) throw new DomainError('conflict', `A ${appointment.status.replace('_', '-')} appointment cannot be rescheduled.`);
    const { slot } = appointment;
    const start = request.start ?? Date.parse(slot.start);
    const placement: Placement = {
      specialistId: request.specialistId ?? slot.specialistId,
      placeId: request.placeId,
      start,
      durationMinutes: request.durationMinutes ?? (Date.parse(slot.end) - Date.parse(slot.start)) / MINUTE,
    };
    const where = await placed(deps, placement, appointment.organizationId, slot.placeId, request.byClient, request.now);
    const claim: Claim = { claimId: deps.newId(), appointmentId: appointment.appointmentId, organizationId: appointment.organizationId, clientId: slot.clientId, basis: state.version, ...where };
    // A time the schedule refuses is refused before anything is written (settleClaim alone writes nothing when the first day refuses).
    if (claim.days.length > 1) await checkClaim(deps.store, claim, now);
    try {
      const settled = await settleClaim(deps, claim, metadata, now);
      await releaseClaim(deps, { ...slot, organizationId: appointment.organizationId }, releaseReasonOf.AppointmentRescheduled, metadata, now);
      return settled;
    } catch (error) {
      const lostRace = isConflict(error) && !error.fields;
      if (!lostRace || attempt >= 3) throw error;
    }
  }
}

type StatusCommand = Exclude<AppointmentCommand, { type: 'AdoptClaim' | 'RejectClaim' }>;

/** A status or cost change; an appointment that stops being active gives its time back. */
export async function changeAppointment(deps: ClaimDeps, appointmentId: string, command: StatusCommand, metadata: EventMetadata): Promise<Settled> {
  const handled = await deps.handle(appointmentDecider, appointmentStream(appointmentId), command, metadata);
  const appointment = handled.state.appointment;
  const released = handled.events.find(isReleasing);
  if (released && appointment) {
    await releaseClaim(deps, { ...releasedSlotOf(released), organizationId: appointment.organizationId }, releaseReasonOf[released.type], metadata, command.data.now);
  }
  if (!appointment) throw superseded();
  return { state: handled.state, position: handled.position };
}
