import { isActive } from '../../commands/scheduling/appointment.js';
import { loadAppointment } from './claims.js';
import { clientRecordDecider } from '../../commands/clients/client-record.js';
import { loadState } from '../../commands/load-state.js';
import { placeDecider } from '../../commands/scheduling/place.js';
import { activeSpecialistOf } from './schedule-reads.js';
import { isReleasing, releasedSlotOf, releasingEventTypes, type AppointmentEvent } from '../../events/scheduling/appointment.js';
import { asEvent } from '../../events/event.js';
import { clientRecordStream } from '../../events/clients/client-record.js';
import { ERASED } from '../../events/personal.js';
import { placeStream } from '../../events/scheduling/place.js';
import type { Projection } from '../../projections/projection.js';
import { formatInstant } from '../../commands/scheduling/zoned-time.js';
import type { EventStore } from '../../store/port.js';
import type { Kysely } from 'kysely';
import { claimReminder, type SendLimits } from '../../auth/send-limits.js';
import type { ContactStreams } from '../../events/identity/contact.js';
import type { Database } from '../../db/database.js';
import type { SmsSender } from '../../jobs/providers/sms.js';
import { withTimeout, type JobHandler, type JobQueue, type Logger } from '../../jobs/queue.js';

// An SMS to the client some hours (REMINDER_LEAD_HOURS, 24 by default)
// before each appointment, at the contact phone of the organization's record
// of them (none once the record is removed or erased); it names the service only as
// staff set it, so nothing a client typed goes out as the organization's word. A booking schedules a delayed job named after the
// appointment and its start; a reschedule withdraws it and schedules the new
// one; a cancellation (or completion, or no-show) withdraws it. The worker
// still re-reads the appointment and sends only when it is active and starts
// when the job says: a job that escaped withdrawal never fires stale. The
// reactor reads nothing but its events (it runs inside its checkpoint's
// transaction); the worker reads the streams.

export const APPOINTMENT_REMINDER = 'appointment-reminder';

export const reminderJobId = (appointmentId: string, start: string) => `reminder-${appointmentId}-${Date.parse(start)}`;

const ENQUEUE_TIMEOUT_MS = 3000;

export function reminderReactor(deps: { jobs: JobQueue; leadMs: number; now: () => Date }): Projection {
  const { jobs } = deps;

  /** Booked inside the lead time (or replayed after it passed): no reminder, the client just booked. */
  async function schedule(appointmentId: string, start: string): Promise<void> {
    const delayMs = Date.parse(start) - deps.leadMs - deps.now().getTime();
    if (delayMs < 0) return;
    await withTimeout(jobs.enqueue(APPOINTMENT_REMINDER, { appointmentId, start }, { jobId: reminderJobId(appointmentId, start), delayMs }), ENQUEUE_TIMEOUT_MS);
  }

  const withdraw = (appointmentId: string, start: string) => withTimeout(jobs.remove(reminderJobId(appointmentId, start)), ENQUEUE_TIMEOUT_MS);

  return {
    name: 'reactor-appointment-reminders',
    canHandle: ['AppointmentBooked', ...releasingEventTypes],
    async apply(_trx, events) {
      for (const stored of events) {
        const event = asEvent<AppointmentEvent>(stored);
        if (event.type === 'AppointmentBooked') await schedule(event.data.appointmentId, event.data.slot.start);
        else if (isReleasing(event)) {
          const to = event.type === 'AppointmentRescheduled' ? event.data.to : undefined;
          const from = releasedSlotOf(event);
          // Moved to another place or specialist at the same time: the reminder stands.
          if (to && from.start === to.start) continue;
          await withdraw(event.data.appointmentId, from.start);
          if (to) await schedule(event.data.appointmentId, to.start);
        }
      }
    },
    // Replaying bookings would schedule reminders again: a reactor is never rebuilt.
    async reset() {
      throw new Error('a reactor cannot be rebuilt');
    },
  };
}

export interface ReminderDeps {
  readonly store: EventStore;
  readonly sms: SmsSender;
  readonly now: () => Date;
  /** The send limiter's counters: reminders to one phone are capped per day (src/auth/send-limits.ts). */
  readonly db: Kysely<Database>;
  readonly limits: SendLimits;
  /** The phone is counted by its pseudonym. */
  readonly contacts: ContactStreams;
  readonly logger: Logger;
}

export function appointmentReminderHandler(deps: ReminderDeps): JobHandler<Record<string, string>> {
  const { store } = deps;
  return async ({ appointmentId, start }) => {
    if (!appointmentId || !start) throw new Error('appointment-reminder job without appointmentId and start');
    const appointment = (await loadAppointment(store, appointmentId)).state.appointment;
    // Cancelled, finished, moved, or already begun: this reminder has nothing left to say.
    if (!appointment || !isActive(appointment.status) || appointment.slot.start !== start || Date.parse(start) <= deps.now().getTime()) return;
    const { slot } = appointment;
    const specialist = await activeSpecialistOf(store, slot.specialistId);
    const place = slot.placeId === null ? undefined : (await loadState(store, placeDecider, placeStream(slot.placeId))).state;
    const local = formatInstant(Date.parse(slot.start), slot.timeZone);
    const where = place && place.status !== 'none' ? ` (${place.details.name})` : '';
    const who = specialist ? ` with ${specialist.details.name}` : '';
    // A legacy booking by a client may carry a service they typed themself.
    const service = appointment.bookedBy.kind === 'client' ? '' : appointment.service;
    const what = service ? `${service}${who}` : `Your appointment${who}`;
    await textClient(deps, slot.clientId, `Reminder: ${what} on ${local.slice(0, 10)} at ${local.slice(11, 16)}${where}.`, { appointmentId }, 'appointment reminder');
  };
}

/**
 * An SMS the system sends a client about their appointment (a reminder, a
 * waitlist offer), to the phone of the organization's record of them. Past
 * the day's cap for this phone it is dropped, not retried: a late message
 * says nothing useful. An erased or removed record, or one without a phone,
 * gets nothing.
 */
export async function textClient(deps: ReminderDeps, recordId: string, text: string, context: object, what: string): Promise<void> {
  const record = (await loadState(deps.store, clientRecordDecider, clientRecordStream(recordId))).state;
  if (record.status === 'erased' || (record.status === 'open' && record.phone === ERASED)) {
    deps.logger.info(context, `${what} not sent: the client was erased`);
    return;
  }
  if (record.status !== 'open' || !record.phone) return;
  const claim = await claimReminder(deps.db, deps.limits, deps.contacts.destination(record.phone), deps.now());
  if (!claim.ok) {
    deps.logger.warn(context, `${what} skipped: daily cap of messages to this phone reached`);
    return;
  }
  await deps.sms.send(record.phone, text);
}
