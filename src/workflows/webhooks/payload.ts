import { fold } from '../../commands/decider.js';
import { appointmentDecider } from '../../commands/scheduling/appointment.js';
import { asEvent } from '../../events/event.js';
import type { ClientRecordOpened } from '../../events/clients/client-record.js';
import type { AppointmentEvent, AppointmentSlot } from '../../events/scheduling/appointment.js';
import type { WebhookEventType } from '../../events/webhooks/endpoint.js';
import type { StoredEvent } from '../../store/port.js';

// What a delivery says: `{ type, timestamp, data }` as the Standard Webhooks
// specification recommends. `data` carries ids and times, never personal
// data (no names, phones, notes): a receiver that needs them asks the API
// with its own credentials, where access rules and audit apply.

/** The log's event types that are delivered, by the webhook event type they are. */
export const DELIVERED: Readonly<Record<string, WebhookEventType>> = {
  AppointmentBooked: 'appointment.booked',
  AppointmentRescheduled: 'appointment.rescheduled',
  AppointmentCancelled: 'appointment.cancelled',
  ClientRecordOpened: 'client.created',
};

export interface WebhookPayload {
  readonly type: WebhookEventType;
  /** When the event was recorded (ISO 8601). */
  readonly timestamp: string;
  readonly data: Record<string, string | null>;
}

const slotData = (slot: AppointmentSlot) => ({
  specialist_id: slot.specialistId,
  place_id: slot.placeId,
  client_id: slot.clientId,
  start: slot.start,
  end: slot.end,
});

/**
 * The payload of `stream`'s events up to `event` (the appointment's status
 * then is folded from them), or undefined for a type that is not delivered.
 */
export function payloadOf(history: readonly StoredEvent[], event: StoredEvent): WebhookPayload | undefined {
  const type = DELIVERED[event.type];
  if (type === undefined) return undefined;
  const timestamp = event.createdAt.toISOString();
  if (event.type === 'ClientRecordOpened') {
    const { recordId, organizationId } = asEvent<ClientRecordOpened>(event).data;
    return { type, timestamp, data: { client_id: recordId, organization_id: organizationId } };
  }
  const appointment = asEvent<AppointmentEvent>(event);
  const state = fold(appointmentDecider, history.filter((e) => e.version <= event.version).map((e) => asEvent<AppointmentEvent>(e)));
  const status = state.appointment?.status ?? null;
  const base = { appointment_id: appointment.data.appointmentId, organization_id: appointment.data.organizationId, status };
  switch (appointment.type) {
    case 'AppointmentBooked':
      return { type, timestamp, data: { ...base, ...slotData(appointment.data.slot), service_id: appointment.data.serviceId ?? null } };
    case 'AppointmentRescheduled':
      return { type, timestamp, data: { ...base, ...slotData(appointment.data.to), previous_start: appointment.data.from.start, previous_end: appointment.data.from.end } };
    case 'AppointmentCancelled':
      return { type, timestamp, data: { ...base, ...slotData(appointment.data.slot) } };
    default:
      return undefined;
  }
}
