import { appointmentStream } from '../events/appointment.js';
import { clientStream } from '../events/client.js';
import type { ActorRef, Claim, Cost, SlotReleaseReason } from '../events/schedule.js';
import type { BookingPolicy, WorkingHours } from '../events/specialist.js';
import { workingIntervalsAround } from '../scheduling/working-hours.js';
import { localDate } from '../scheduling/zoned-time.js';
import type { EventMetadata, Position } from '../store/port.js';
import { appointmentDecider, isActive, superseded, type AppointmentCommand } from './appointment.js';
import { daysOf, loadAppointment, releaseClaim, settleClaim, type ClaimDeps, type Settled } from './claims.js';
import { clientDecider } from './client.js';
import { DomainError, invalid } from './errors.js';
import { loadState } from './load-state.js';
import { activeSpecialistOf, isOpenPlace } from './schedule-reads.js';
import type { ActiveSpecialist } from './specialist.js';

// Booking, rescheduling and status changes: the checks that need other
// streams (specialist, place, client), then the claim (claims.ts).

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

export interface BookRequest extends Placement {
  readonly appointmentId: string;
  readonly organizationId: string;
  readonly clientId: string;
  readonly service: string;
  readonly cost: Cost;
  readonly bookedBy: ActorRef;
  /** A client booking themself: the minimum notice applies to them. */
  readonly byClient: boolean;
  readonly now: Date;
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

/** Builds the claim of a placement; the place defaults to the one the hours name. */
async function claimFor(
  deps: BookingDeps,
  placement: Placement,
  base: Pick<Claim, 'appointmentId' | 'organizationId' | 'clientId' | 'basis' | 'terms'>,
  fallbackPlace: string | null,
  byClient: boolean,
  now: Date,
): Promise<Claim> {
  const specialist = await specialistFor(deps, placement.specialistId, base.organizationId);
  const { hours } = specialist;
  const { timeZone, policy } = hours;
  checkWindow(policy, placement.start, now.getTime(), byClient);
  const start = placement.start;
  const end = start + placement.durationMinutes * MINUTE;
  const day = localDate(start, timeZone);
  const interval = workingIntervalsAround(hours, day).find((w) => w.start <= start && end <= w.end);
  const placeId = placement.placeId !== undefined ? placement.placeId : (interval?.placeId ?? fallbackPlace);
  if (placeId !== null && !(await isOpenPlace(deps.store, placeId, base.organizationId))) throw invalid('place_id', 'No place of this organization with this id.');
  return {
    ...base,
    claimId: deps.newId(),
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

export async function bookAppointment(deps: BookingDeps, request: BookRequest, metadata: EventMetadata): Promise<Settled & { readonly joined: Position | undefined }> {
  const { appointmentId, organizationId, clientId, service, cost, bookedBy, byClient, now } = request;
  const client = (await loadState(deps.store, clientDecider, clientStream(clientId))).state;
  // Staff book the clients of their organization; a client books themself anywhere.
  if (client.status !== 'registered' || (!byClient && !client.organizationIds.includes(organizationId))) {
    throw invalid('client_id', 'No client of this organization with this id.');
  }
  const claim = await claimFor(deps, request, { appointmentId, organizationId, clientId, basis: -1, terms: { service, cost, bookedBy } }, null, byClient, now);
  const settled = await settleClaim(deps, claim, metadata, now.toISOString());
  // Booked there, so a client of the organization from now on (its staff may see them).
  const joined = await deps.handle(clientDecider, clientStream(clientId), { type: 'JoinOrganization', data: { organizationId, now: now.toISOString() } }, metadata);
  return { ...settled, joined: joined.position };
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
    const base = { appointmentId: appointment.appointmentId, organizationId: appointment.organizationId, clientId: slot.clientId, basis: state.version };
    const claim = await claimFor(deps, placement, base, slot.placeId, request.byClient, request.now);
    try {
      const settled = await settleClaim(deps, claim, metadata, now);
      await releaseClaim(deps, { ...slot, organizationId: appointment.organizationId }, 'rescheduled', metadata, now);
      return settled;
    } catch (error) {
      const lostRace = error instanceof DomainError && error.kind === 'conflict' && !error.fields;
      if (!lostRace || attempt >= 3) throw error;
    }
  }
}

const releasing: Partial<Record<AppointmentCommand['type'], SlotReleaseReason>> = {
  CancelAppointment: 'cancelled',
  CompleteAppointment: 'completed',
  MarkNoShow: 'no_show',
};

type StatusCommand = Exclude<AppointmentCommand, { type: 'AdoptClaim' | 'RejectClaim' }>;

/** A status or cost change; an appointment that stops being active gives its time back. */
export async function changeAppointment(deps: ClaimDeps, appointmentId: string, command: StatusCommand, metadata: EventMetadata): Promise<Settled> {
  const handled = await deps.handle(appointmentDecider, appointmentStream(appointmentId), command, metadata);
  const reason = releasing[command.type];
  const appointment = handled.state.appointment;
  if (reason && appointment && handled.events.length > 0) {
    await releaseClaim(deps, { ...appointment.slot, organizationId: appointment.organizationId }, reason, metadata, command.data.now);
  }
  if (!appointment) throw superseded();
  return { state: handled.state, position: handled.position };
}
