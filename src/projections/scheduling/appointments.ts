import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { AppointmentEvent, AppointmentSlot, AppointmentStatus } from '../../events/scheduling/appointment.js';
import type { ClientRecordErased } from '../../events/clients/client-record.js';
import { ERASED } from '../../events/personal.js';
import { asEvent } from '../../events/event.js';
import type { Cost } from '../../events/scheduling/schedule.js';
import type { Projection } from '../projection.js';

// Read model `appointments`: one row per appointment id, wherever it moved,
// so a reschedule across days shows one appointment, never two. Rejected
// claims never become rows. `client_id` is the organization's client record
// (legacy events are upcast to it). Queries are in appointment-queries.ts.

function slotColumns(slot: AppointmentSlot) {
  return {
    specialist_id: slot.specialistId,
    place_id: slot.placeId,
    client_id: slot.clientId,
    day: slot.day,
    starts_at: slot.start,
    ends_at: slot.end,
    time_zone: slot.timeZone,
  };
}

/** No cost set: both columns empty. */
const costColumns = (cost: Cost | null) => ({ cost_amount: cost?.amount ?? null, cost_currency: cost?.currency ?? null });

async function setStatus(trx: Transaction<Database>, appointmentId: string, status: AppointmentStatus, at: string): Promise<void> {
  await trx.updateTable('appointments').set({ status, updated_at: at }).where('id', '=', appointmentId).execute();
}

async function applyOne(trx: Transaction<Database>, event: AppointmentEvent | ClientRecordErased): Promise<void> {
  switch (event.type) {
    case 'ClientRecordErased':
      // The reasons were written with the record's key, now destroyed: they read as a replay
      // would read them. Status, times and amounts stay: they are the organization's books.
      await trx.updateTable('appointments').set({ cancel_reason: ERASED }).where('client_id', '=', event.data.recordId).where('cancel_reason', 'is not', null).execute();
      return;
    case 'AppointmentBooked': {
      const { appointmentId, organizationId, slot, service, cost, bookedAt, seriesId } = event.data;
      await trx
        .insertInto('appointments')
        .values({
          id: appointmentId,
          organization_id: organizationId,
          ...slotColumns(slot),
          status: 'pending',
          service,
          ...costColumns(cost),
          series_id: seriesId ?? null,
          created_at: bookedAt,
          updated_at: bookedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'AppointmentRescheduled':
      await trx.updateTable('appointments').set({ ...slotColumns(event.data.to), updated_at: event.data.rescheduledAt }).where('id', '=', event.data.appointmentId).execute();
      return;
    case 'AppointmentConfirmed':
      return setStatus(trx, event.data.appointmentId, 'confirmed', event.data.confirmedAt);
    case 'AppointmentCompleted':
      return setStatus(trx, event.data.appointmentId, 'completed', event.data.completedAt);
    case 'AppointmentMarkedNoShow':
      return setStatus(trx, event.data.appointmentId, 'no_show', event.data.markedAt);
    case 'AppointmentCancelled': {
      const { appointmentId, reason, cancelledBy, cancelledAt } = event.data;
      await trx
        .updateTable('appointments')
        .set({ status: 'cancelled', cancel_reason: reason, cancelled_by: JSON.stringify(cancelledBy), updated_at: cancelledAt })
        .where('id', '=', appointmentId)
        .execute();
      return;
    }
    case 'AppointmentCostChanged': {
      const { appointmentId, cost, changedAt } = event.data;
      await trx.updateTable('appointments').set({ ...costColumns(cost), updated_at: changedAt }).where('id', '=', appointmentId).execute();
      return;
    }
    default:
      return;
  }
}

export const appointmentsProjection: Projection = {
  name: 'appointments',
  parkUnappliable: true,
  canHandle: ['AppointmentBooked', 'AppointmentRescheduled', 'AppointmentConfirmed', 'AppointmentCompleted', 'AppointmentMarkedNoShow', 'AppointmentCancelled', 'AppointmentCostChanged', 'ClientRecordErased'],
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<AppointmentEvent | ClientRecordErased>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('appointments').execute();
  },
};
