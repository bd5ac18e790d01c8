import { clientRecordStream } from '../../events/clients/client-record.js';
import type { ActorRef } from '../../events/scheduling/schedule.js';
import { waitlistEntryStream, type WaitlistClient, type WaitlistWindow } from '../../events/waitlist/entry.js';
import { clientRecordDecider } from '../../commands/clients/client-record.js';
import { DomainError, isConflict } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { waitlistDecider, windowErrors } from '../../commands/waitlist/entry.js';
import { laterPosition, type EventMetadata, type Position } from '../../store/port.js';
import { changeAppointment } from '../scheduling/booking.js';
import type { ClaimDeps } from '../scheduling/claims.js';
import { loadAppointment } from '../scheduling/claims.js';
import { activeServiceOf, activeSpecialistOf } from '../scheduling/schedule-reads.js';

// Joining, accepting an offer and withdrawing: the checks that need other
// streams (service, specialist, client record, the offered appointment),
// then the entry's decider. The appointment changes go through the
// scheduling workflow like any confirm or cancel.

export interface JoinRequest {
  readonly entryId: string;
  readonly organizationId: string;
  readonly client: WaitlistClient;
  readonly serviceId: string;
  readonly specialistId: string | null;
  readonly window: WaitlistWindow;
  readonly by: ActorRef;
  readonly now: Date;
}

/** Every refusal of the request at once, by the fields it sent; nothing is appended. */
async function joinErrors(deps: ClaimDeps, request: JoinRequest): Promise<Record<string, string[]>> {
  const { store } = deps;
  const { organizationId, client, serviceId, specialistId } = request;
  const errors = windowErrors(request.window);
  const service = await activeServiceOf(store, serviceId, organizationId);
  if (!service) errors.service_id = ['No service of this organization with this id.'];
  if (specialistId !== null) {
    const specialist = await activeSpecialistOf(store, specialistId, organizationId);
    if (!specialist) errors.specialist_id = ['No specialist of this organization with this id.'];
    else if (service && !service.details.specialistIds.includes(specialistId)) errors.specialist_id = ['This specialist does not offer this service.'];
  }
  if (client.kind === 'record') {
    const { state } = await loadState(store, clientRecordDecider, clientRecordStream(client.id));
    if (state.status !== 'open' || state.organizationId !== organizationId) errors.client_id = ['No client of this organization with this id.'];
  }
  return errors;
}

export async function joinWaitlist(deps: ClaimDeps, request: JoinRequest, metadata: EventMetadata): Promise<Position | undefined> {
  const errors = await joinErrors(deps, request);
  if (Object.keys(errors).length > 0) throw new DomainError('invalid', 'Invalid input.', errors);
  const { entryId, organizationId, client, serviceId, specialistId, window, by, now } = request;
  const data = { entryId, organizationId, client, serviceId, specialistId, window, by, now: now.toISOString() };
  return (await deps.handle(waitlistDecider, waitlistEntryStream(entryId), { type: 'JoinWaitlist', data }, metadata)).position;
}

/**
 * Before it expires: the entry is booked, then the pending appointment
 * confirmed (the entry decides first, so an expiry racing the accept loses
 * or wins whole). Retried after a crash, it finishes the confirm.
 */
export async function acceptOffer(deps: ClaimDeps, entryId: string, by: ActorRef, now: Date, metadata: EventMetadata): Promise<Position | undefined> {
  const stream = waitlistEntryStream(entryId);
  const offered = (await loadState(deps.store, waitlistDecider, stream)).state.entry?.offer;
  const appointment = offered && (await loadAppointment(deps.store, offered.appointmentId)).state.appointment;
  if (appointment && appointment.status !== 'pending' && appointment.status !== 'confirmed') throw new DomainError('conflict', 'The offered time is no longer held.');
  const accepted = await deps.handle(waitlistDecider, stream, { type: 'AcceptOffer', data: { by, now: now.toISOString() } }, metadata);
  const appointmentId = accepted.state.entry!.offer!.appointmentId;
  if ((await loadAppointment(deps.store, appointmentId)).state.appointment?.status === 'confirmed') return accepted.position;
  const confirmed = await changeAppointment(deps, appointmentId, { type: 'ConfirmAppointment', data: { by, now: now.toISOString() } }, metadata);
  return laterPosition(accepted.position, confirmed.position);
}

/** Off the list; an open offer's pending appointment is cancelled, which frees its time for the next entry. */
export async function withdrawEntry(deps: ClaimDeps, entryId: string, by: ActorRef, now: Date, metadata: EventMetadata): Promise<Position | undefined> {
  const withdrawn = await deps.handle(waitlistDecider, waitlistEntryStream(entryId), { type: 'Withdraw', data: { by, now: now.toISOString() } }, metadata);
  const offer = withdrawn.state.entry?.offer;
  if (withdrawn.events.length === 0 || !offer) return withdrawn.position;
  return laterPosition(withdrawn.position, await cancelOffered(deps, offer.appointmentId, 'waitlist entry withdrawn', by, now, metadata));
}

/** Cancels the offer's appointment while it is still pending (never one its client or staff confirmed). */
export async function cancelOffered(deps: ClaimDeps, appointmentId: string, reason: string, by: ActorRef, now: Date, metadata: EventMetadata): Promise<Position | undefined> {
  if ((await loadAppointment(deps.store, appointmentId)).state.appointment?.status !== 'pending') return undefined;
  try {
    return (await changeAppointment(deps, appointmentId, { type: 'CancelAppointment', data: { reason, by, now: now.toISOString() } }, metadata)).position;
  } catch (error) {
    // Confirmed or cancelled in between: nothing left to cancel.
    if (isConflict(error)) return undefined;
    throw error;
  }
}
