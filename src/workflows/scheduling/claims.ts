import { appointmentStream } from '../../events/scheduling/appointment.js';
import { scheduleStream, type Claim, type SlotReleaseReason } from '../../events/scheduling/schedule.js';
import { workingIntervalsAround, type WorkingInterval } from '../../commands/scheduling/working-hours.js';
import { datesBetween, localDate } from '../../commands/scheduling/zoned-time.js';
import type { EventMetadata, EventStore, Position } from '../../store/port.js';
import { appointmentDecider, superseded, type AppointmentState } from '../../commands/scheduling/appointment.js';
import { DomainError, isConflict } from '../../commands/errors.js';
import type { CommandHandler } from '../../commands/handler.js';
import { loadState } from '../../commands/load-state.js';
import { scheduleDecider } from '../../commands/scheduling/schedule.js';
import { activeSpecialistOf } from './schedule-reads.js';

// How a claim on the day streams and the appointment stream agree, with no
// transaction spanning streams:
//
// 1. Hold every day of the claim, in ascending order (`ClaimSlot`, each
//    decided and appended optimistically in its own day stream).
// 2. Adopt the claim in the appointment stream, on the version it was made
//    against. From then on the appointment is at that time.
// 3. A day refusing the claim (a conflict) first records the rejection in the
//    appointment stream, then lets go of the days already held. Requests
//    check the claim on every day first (checkClaim), so this happens only
//    when another booking won a day between that check and the append.
//
// Adoption and rejection are both appended to the appointment stream with the
// version the claim was made on, so exactly one of them can ever happen. Each
// step is idempotent, so the request and the worker (src/workflows/scheduling/claim-settlement.ts
// runs this same procedure for every claim in the log, a few seconds later)
// can both drive a claim, and one that a crash left half-done is finished or
// undone. A crash can leave time held a little longer than needed; it can
// never leave an appointment unprotected, lost, or in two places.

export interface ClaimDeps {
  readonly handle: CommandHandler;
  readonly store: EventStore;
}

export interface Settled {
  readonly state: AppointmentState;
  /** Where the adoption is in the log (read your writes). */
  readonly position: Position | undefined;
}

const MINUTE = 60_000;

/** The days a time touches, buffers included, in its zone. */
export function daysOf(start: number, end: number, bufferBeforeMinutes: number, bufferAfterMinutes: number, timeZone: string): string[] {
  return datesBetween(localDate(start - bufferBeforeMinutes * MINUTE, timeZone), localDate(end + bufferAfterMinutes * MINUTE - 1, timeZone));
}

export async function loadAppointment(store: EventStore, appointmentId: string) {
  return loadState(store, appointmentDecider, appointmentStream(appointmentId));
}

/** Gives up a claim's days; releasing what is not held does nothing. */
export async function releaseClaim(deps: ClaimDeps, claim: Pick<Claim, 'claimId' | 'organizationId' | 'days'>, reason: SlotReleaseReason, metadata: EventMetadata, now: string): Promise<void> {
  for (const day of claim.days) {
    await deps.handle(scheduleDecider, scheduleStream(claim.organizationId, day), { type: 'ReleaseSlot', data: { claimId: claim.claimId, reason, now } }, metadata);
  }
}

/** What the day streams decide a claim with, from the specialist's stream: their hours and daily limit. */
async function specialistTermsFor(store: EventStore, claim: Claim): Promise<{ working: WorkingInterval[]; maxBookingsPerDay?: number }> {
  const specialist = await activeSpecialistOf(store, claim.specialistId, claim.organizationId);
  if (!specialist?.hours) return { working: [] };
  const { maxBookingsPerDay } = specialist.hours.policy;
  return { working: workingIntervalsAround(specialist.hours, claim.day), ...(maxBookingsPerDay !== undefined && { maxBookingsPerDay }) };
}

/**
 * Decides the claim on every day it would hold, from the day streams as they
 * stand, without writing: a time the schedule refuses is a 409 with nothing
 * appended. Needed when something is written before the first day is held
 * (a record opened for a booking) or when a claim spans days: a refusal on
 * the first day alone writes nothing anyway (settleClaim). The claim that follows (settleClaim) appends with expected
 * versions, so a booking racing in between is still refused by the store;
 * only that race leaves a held day given back (SlotClaimed, ClaimRejected,
 * SlotReleased).
 */
export async function checkClaim(store: EventStore, claim: Claim, now: string): Promise<void> {
  const terms = await specialistTermsFor(store, claim);
  for (const day of claim.days) {
    const { state } = await loadState(store, scheduleDecider, scheduleStream(claim.organizationId, day));
    scheduleDecider.decide({ type: 'ClaimSlot', data: { claim, ...terms, now } }, state);
  }
}

/** A refusal because the state moved on or the time is held; a retry or another claim may pass. */

/** Drives a claim to adoption; throws the conflict that refused it otherwise. */
export async function settleClaim(deps: ClaimDeps, claim: Claim, metadata: EventMetadata, now: string): Promise<Settled> {
  const stream = appointmentStream(claim.appointmentId);
  for (let attempt = 1; attempt <= 5; attempt++) {
    const { state, position } = await loadAppointment(deps.store, claim.appointmentId);
    if (state.adopted.includes(claim.claimId)) return { state, position };
    const rejection = Object.hasOwn(state.rejected, claim.claimId) ? state.rejected[claim.claimId] : undefined;
    if (rejection || state.version !== claim.basis) {
      await releaseClaim(deps, claim, rejection ? 'rejected' : 'superseded', metadata, now);
      throw rejection ? new DomainError('conflict', 'The appointment conflicts with the schedule.', rejection) : superseded();
    }
    const terms = await specialistTermsFor(deps.store, claim);
    let held = 0;
    try {
      for (const day of claim.days) {
        await deps.handle(scheduleDecider, scheduleStream(claim.organizationId, day), { type: 'ClaimSlot', data: { claim, ...terms, now } }, metadata);
        held++;
      }
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Days are held in ascending order by everyone: refused on the first, nothing of it exists anywhere.
      if (held === 0 && error.fields) throw error;
      try {
        await deps.handle(appointmentDecider, stream, { type: 'RejectClaim', data: { claim, conflicts: error.fields ?? {}, now } }, metadata);
      } catch (rejecting) {
        // Adopted meanwhile by another driver of this claim: then it stands.
        if (isConflict(rejecting)) continue;
        throw rejecting;
      }
      await releaseClaim(deps, claim, 'rejected', metadata, now);
      throw error;
    }
    try {
      const adopted = await deps.handle(appointmentDecider, stream, { type: 'AdoptClaim', data: { claim, now } }, metadata);
      if (adopted.position) return { state: adopted.state, position: adopted.position };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    // Adopted or superseded by someone else in the meantime: the next round reads which.
  }
  throw superseded();
}
