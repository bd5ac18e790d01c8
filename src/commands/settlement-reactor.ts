import type { AppointmentEvent } from '../events/appointment.js';
import { releasingEventTypes } from '../events/appointment.js';
import { toDomainEvent } from '../events/catalogue.js';
import type { ScheduleEvent, SlotReleaseReason } from '../events/schedule.js';
import { scheduleStream } from '../events/schedule.js';
import type { Projection } from '../projections/projection.js';
import type { EventMetadata, EventStore, StoredEvent } from '../store/port.js';
import { loadAppointment, releaseClaim, settleClaim } from './claims.js';
import { DomainError } from './errors.js';
import { createCommandHandler } from './handler.js';

// The safety net of claims.ts, driven by the log: every claim is settled
// (finished or undone) and every time an appointment gave up is released,
// even when the request that started it died half-way. The request does the
// same inline; both are idempotent, so whichever comes second does nothing.

const reasons: Partial<Record<AppointmentEvent['type'], SlotReleaseReason>> = {
  AppointmentRescheduled: 'rescheduled',
  AppointmentCancelled: 'cancelled',
  AppointmentCompleted: 'completed',
  AppointmentMarkedNoShow: 'no_show',
};

const systemMetadata = (event: StoredEvent): EventMetadata => ({ actor: { kind: 'system' }, correlationId: event.metadata.correlationId, causationId: event.id });

export function claimSettlementReactor(store: EventStore, now: () => Date): Projection {
  const deps = { handle: createCommandHandler(store), store };

  async function settle(event: StoredEvent): Promise<void> {
    const claimed = toDomainEvent<ScheduleEvent>(event);
    if (claimed.type !== 'SlotClaimed') return;
    const { claimedAt: _claimedAt, ...claim } = claimed.data;
    // Once per claim: from its first day, which every driver holds first.
    if (event.stream !== scheduleStream(claim.organizationId, claim.days[0] ?? claim.day)) return;
    try {
      await settleClaim(deps, claim, systemMetadata(event), now().toISOString());
    } catch (error) {
      // Refused or superseded is a settled outcome too.
      if (!(error instanceof DomainError)) throw error;
    }
  }

  async function release(event: StoredEvent): Promise<void> {
    const domain = toDomainEvent<AppointmentEvent>(event);
    const reason = reasons[domain.type];
    if (!reason) return;
    const appointment = (await loadAppointment(store, domain.data.appointmentId)).state.appointment;
    if (!appointment) return;
    // A reschedule gives back the time it moved from; the other events the time the appointment held then (its last).
    const slot = domain.type === 'AppointmentRescheduled' ? domain.data.from : appointment.slot;
    await releaseClaim(deps, { ...slot, organizationId: appointment.organizationId }, reason, systemMetadata(event), now().toISOString());
  }

  return {
    name: 'reactor-claim-settlement',
    canHandle: ['SlotClaimed', ...releasingEventTypes],
    async apply(_trx, events) {
      for (const event of events) {
        if (event.type === 'SlotClaimed') await settle(event);
        else await release(event);
      }
    },
    // Its effects are appends that are already in the log: nothing to rebuild.
    async reset() {
      throw new Error('a reactor cannot be rebuilt');
    },
  };
}
