import type { AppointmentEvent, AppointmentSlot, AppointmentStatus } from '../../events/scheduling/appointment.js';
import type { ActorRef, Claim, Cost } from '../../events/scheduling/schedule.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';

// The decider of one appointment (`appointment-{id}`): its status lifecycle,
// and which of its claims (src/commands/scheduling/schedule.ts) it adopts.
//
//   pending -> confirmed -> completed
//   pending | confirmed -> cancelled
//   confirmed -> no_show (once its start has passed)
//
// A claim is adopted only on the version it was made against (`basis`), and
// adopting and rejecting happen here, in one stream: so of two reschedules
// racing, one is adopted and the other's claim can never be.

export interface Appointment {
  readonly appointmentId: string;
  readonly organizationId: string;
  readonly status: AppointmentStatus;
  readonly slot: AppointmentSlot;
  /** As staff set them: '' and null when not set. */
  readonly service: string;
  readonly cost: Cost | null;
  /** Who booked: a client's own booking never set the service (legacy ones may have). */
  readonly bookedBy: ActorRef;
}

export interface AppointmentState {
  /** Version of the stream: -1 before its first event. */
  readonly version: number;
  readonly appointment: Appointment | undefined;
  readonly adopted: readonly string[];
  /** Rejected claims, with the conflicts that refused them. */
  readonly rejected: Readonly<Record<string, Record<string, string[]>>>;
}

export type AppointmentCommand =
  | { type: 'AdoptClaim'; data: { claim: Claim; now: string } }
  | { type: 'RejectClaim'; data: { claim: Claim; conflicts: Record<string, string[]>; now: string } }
  | { type: 'ConfirmAppointment'; data: { by: ActorRef; now: string } }
  | { type: 'CompleteAppointment'; data: { now: string } }
  | { type: 'CancelAppointment'; data: { reason: string; by: ActorRef; now: string } }
  | { type: 'MarkNoShow'; data: { now: string } }
  | { type: 'ChangeCost'; data: { cost: Cost; now: string } };

const ACTIVE: readonly AppointmentStatus[] = ['pending', 'confirmed'];
export const isActive = (status: AppointmentStatus) => ACTIVE.includes(status);

export const superseded = () => conflict('The appointment was changed by another request; try again.');

function existing(state: AppointmentState): Appointment {
  if (!state.appointment) throw new DomainError('not_found', 'Not found.');
  return state.appointment;
}

function inStatus(state: AppointmentState, allowed: readonly AppointmentStatus[], action: string): Appointment {
  const appointment = existing(state);
  if (!allowed.includes(appointment.status)) throw conflict(`A ${appointment.status.replace('_', '-')} appointment cannot be ${action}.`);
  return appointment;
}

export function slotOf(claim: Claim): AppointmentSlot {
  const { claimId, day, days, specialistId, placeId, clientId, start, end, timeZone } = claim;
  return { claimId, day, days, specialistId, placeId, clientId, start, end, timeZone };
}

function adopt(claim: Claim, state: AppointmentState, now: string): AppointmentEvent[] {
  if (state.adopted.includes(claim.claimId)) return [];
  if (Object.hasOwn(state.rejected, claim.claimId) || state.version !== claim.basis) throw superseded();
  const ids = { schemaVersion: 2 as const, appointmentId: claim.appointmentId, organizationId: claim.organizationId };
  if (!state.appointment) {
    if (!claim.terms) throw new Error(`claim ${claim.claimId} books a new appointment without its terms`);
    const { service, cost, bookedBy, seriesId } = claim.terms;
    const series = seriesId === undefined ? {} : { seriesId };
    return [{ type: 'AppointmentBooked', data: { ...ids, slot: slotOf(claim), service, cost, bookedBy, bookedAt: now, ...series } }];
  }
  const appointment = inStatus(state, ACTIVE, 'rescheduled');
  return [{ type: 'AppointmentRescheduled', data: { ...ids, from: appointment.slot, to: slotOf(claim), rescheduledAt: now } }];
}

function decide(command: AppointmentCommand, state: AppointmentState): AppointmentEvent[] {
  switch (command.type) {
    case 'AdoptClaim':
      return adopt(command.data.claim, state, command.data.now);
    case 'RejectClaim': {
      const { claim, conflicts, now } = command.data;
      if (state.adopted.includes(claim.claimId)) throw conflict('This claim was already adopted.');
      // Already rejected, or built on a version that has passed: it can never be adopted, nothing to record.
      if (Object.hasOwn(state.rejected, claim.claimId) || state.version !== claim.basis) return [];
      return [{
        type: 'AppointmentClaimRejected',
        data: { appointmentId: claim.appointmentId, organizationId: claim.organizationId, claimId: claim.claimId, conflicts, rejectedAt: now },
      }];
    }
    case 'ConfirmAppointment': {
      const a = inStatus(state, ['pending'], 'confirmed');
      return [{
        type: 'AppointmentConfirmed',
        data: { appointmentId: a.appointmentId, organizationId: a.organizationId, confirmedBy: command.data.by, confirmedAt: command.data.now },
      }];
    }
    case 'CompleteAppointment': {
      const a = inStatus(state, ['confirmed'], 'completed');
      return [{
        type: 'AppointmentCompleted',
        data: { schemaVersion: 2, appointmentId: a.appointmentId, organizationId: a.organizationId, slot: a.slot, completedAt: command.data.now },
      }];
    }
    case 'CancelAppointment': {
      const a = inStatus(state, ACTIVE, 'cancelled');
      const { reason, by, now } = command.data;
      return [{
        type: 'AppointmentCancelled',
        data: { schemaVersion: 2, appointmentId: a.appointmentId, organizationId: a.organizationId, slot: a.slot, reason, cancelledBy: by, cancelledAt: now },
      }];
    }
    case 'MarkNoShow': {
      const a = inStatus(state, ['confirmed'], 'marked as a no-show');
      if (Date.parse(command.data.now) < Date.parse(a.slot.start)) throw conflict('An appointment can be marked as a no-show only after its start.');
      return [{
        type: 'AppointmentMarkedNoShow',
        data: { schemaVersion: 2, appointmentId: a.appointmentId, organizationId: a.organizationId, slot: a.slot, markedAt: command.data.now },
      }];
    }
    case 'ChangeCost': {
      const a = inStatus(state, ['pending', 'confirmed', 'completed'], 'repriced');
      const { cost, now } = command.data;
      if (a.cost?.amount === cost.amount && a.cost.currency === cost.currency) return [];
      return [{ type: 'AppointmentCostChanged', data: { appointmentId: a.appointmentId, organizationId: a.organizationId, cost, changedAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function withStatus(state: AppointmentState, status: AppointmentStatus): AppointmentState {
  return state.appointment ? { ...state, appointment: { ...state.appointment, status } } : state;
}

function evolveAppointment(state: AppointmentState, event: AppointmentEvent): AppointmentState {
  switch (event.type) {
    case 'AppointmentBooked': {
      const { appointmentId, organizationId, slot, service, cost, bookedBy } = event.data;
      return {
        ...state,
        appointment: { appointmentId, organizationId, status: 'pending', slot, service, cost, bookedBy },
        adopted: [...state.adopted, slot.claimId],
      };
    }
    case 'AppointmentRescheduled':
      return state.appointment ? {
        ...state,
        appointment: { ...state.appointment, slot: event.data.to },
        adopted: [...state.adopted, event.data.to.claimId],
      } : state;
    case 'AppointmentClaimRejected':
      return { ...state, rejected: { ...state.rejected, [event.data.claimId]: event.data.conflicts } };
    case 'AppointmentConfirmed':
      return withStatus(state, 'confirmed');
    case 'AppointmentCompleted':
      return withStatus(state, 'completed');
    case 'AppointmentCancelled':
      return withStatus(state, 'cancelled');
    case 'AppointmentMarkedNoShow':
      return withStatus(state, 'no_show');
    case 'AppointmentCostChanged':
      return state.appointment ? { ...state, appointment: { ...state.appointment, cost: event.data.cost } } : state;
    default:
      return state;
  }
}

// Every event counts towards the version, whatever it changed: adoption is checked against it.
const evolve = (state: AppointmentState, event: AppointmentEvent): AppointmentState => ({ ...evolveAppointment(state, event), version: state.version + 1 });

export const appointmentDecider: Decider<AppointmentState, AppointmentCommand, AppointmentEvent> = {
  initialState: () => ({ version: -1, appointment: undefined, adopted: [], rejected: {} }),
  evolve,
  decide,
};
