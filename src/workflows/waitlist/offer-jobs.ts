import { asEvent } from '../../events/event.js';
import type { AppointmentEvent } from '../../events/scheduling/appointment.js';
import type { ScheduleEvent } from '../../events/scheduling/schedule.js';
import { waitlistEntryStream, type WaitlistEvent } from '../../events/waitlist/entry.js';
import { createCommandHandler } from '../../commands/handler.js';
import { loadState } from '../../commands/load-state.js';
import { formatInstant } from '../../commands/scheduling/zoned-time.js';
import { waitlistDecider } from '../../commands/waitlist/entry.js';
import { withTimeout, type JobHandler, type JobQueue, type Logger } from '../../jobs/queue.js';
import type { Projection } from '../../projections/projection.js';
import { listWaitlistEntries } from '../../projections/waitlist/entries.js';
import type { EventMetadata, EventStore } from '../../store/port.js';
import { textClient, type ReminderDeps } from '../scheduling/appointment-reminders.js';
import { loadAppointment } from '../scheduling/claims.js';
import { activeServiceOf, activeSpecialistOf } from '../scheduling/schedule-reads.js';
import { cancelOffered } from './entries.js';
import { offerFreedTime, releasedClaim, WAITLIST_ACTOR, type OfferDeps } from './offers.js';

// The waitlist's reactor and jobs. The reactor reads nothing but its events
// (it runs inside its checkpoint's transaction) and enqueues, each job under
// an id fixed by what it is for, so a replayed event never runs it twice:
// - a time given back (cancel, reschedule, no-show; an expired offer's own
//   cancel too) -> offer it to the waitlist (`waitlist-release-{claim}`);
// - an offer's appointment booked -> the SMS telling the client (`waitlist-offer-sms-{appointment}`);
// - an offer made -> its expiry, delayed to `expiresAt` (`waitlist-expiry-{appointment}`).
// The workers re-read the streams and act only while the offer is still open.

export const WAITLIST_RELEASE = 'waitlist-release';
export const WAITLIST_OFFER_SMS = 'waitlist-offer-sms';
export const WAITLIST_EXPIRY = 'waitlist-expiry';

const ENQUEUE_TIMEOUT_MS = 3000;
/** Released for these, the time is free for someone else; a rejected or superseded claim never held an appointment's time. */
const FREEING = new Set(['cancelled', 'rescheduled', 'no_show']);

export function waitlistReactor(deps: { jobs: JobQueue; now: () => Date }): Projection {
  const enqueue = (name: string, data: Record<string, string>, jobId: string, delayMs = 0) =>
    withTimeout(deps.jobs.enqueue(name, data, { jobId, delayMs }), ENQUEUE_TIMEOUT_MS);
  return {
    name: 'reactor-waitlist-offers',
    canHandle: ['SlotReleased', 'AppointmentBooked', 'WaitlistOffered'],
    async apply(_trx, events) {
      for (const stored of events) {
        const event = asEvent<ScheduleEvent | AppointmentEvent | WaitlistEvent>(stored);
        const causes = { eventId: stored.id, correlationId: stored.metadata.correlationId };
        if (event.type === 'SlotReleased' && FREEING.has(event.data.reason)) {
          const { claimId, organizationId } = event.data;
          await enqueue(WAITLIST_RELEASE, { ...causes, stream: stored.stream, claimId, organizationId }, `waitlist-release-${claimId}`);
        } else if (event.type === 'AppointmentBooked' && event.data.bookedBy.kind === WAITLIST_ACTOR && event.data.bookedBy.id) {
          const { appointmentId } = event.data;
          await enqueue(WAITLIST_OFFER_SMS, { ...causes, entryId: event.data.bookedBy.id, appointmentId }, `waitlist-offer-sms-${appointmentId}`);
        } else if (event.type === 'WaitlistOffered') {
          const { entryId, appointmentId, expiresAt } = event.data;
          const delayMs = Math.max(0, Date.parse(expiresAt) - deps.now().getTime());
          await enqueue(WAITLIST_EXPIRY, { ...causes, entryId, appointmentId }, `waitlist-expiry-${appointmentId}`, delayMs);
        }
      }
    },
    // Replaying would offer and send again: a reactor is never rebuilt.
    async reset() {
      throw new Error('a reactor cannot be rebuilt');
    },
  };
}

const systemMetadata = (data: Record<string, string>): EventMetadata => ({
  actor: { kind: 'system' },
  correlationId: data.correlationId ?? data.eventId ?? 'waitlist',
  causationId: data.eventId ?? 'waitlist',
});

export function waitlistReleaseHandler(deps: Omit<OfferDeps, 'handle'>): JobHandler<Record<string, string>> {
  const offers = { ...deps, handle: createCommandHandler(deps.store) };
  return async (data) => {
    if (!data.stream || !data.claimId || !data.organizationId) throw new Error('waitlist-release job without stream, claimId and organizationId');
    // Most organizations have nobody waiting most of the time: the day stream is not even read.
    if ((await listWaitlistEntries(deps.db, data.organizationId, true)).length === 0) return;
    const freed = await releasedClaim(offers, data.stream, data.claimId);
    if (freed) await offerFreedTime(offers, freed, systemMetadata(data));
  };
}

/** To the phone of the organization's record of the client, as reminders go; only while the offer is open. */
export function waitlistOfferSmsHandler(deps: ReminderDeps): JobHandler<Record<string, string>> {
  const { store } = deps;
  return async ({ entryId, appointmentId }) => {
    if (!entryId || !appointmentId) throw new Error('waitlist-offer-sms job without entryId and appointmentId');
    const appointment = (await loadAppointment(store, appointmentId)).state.appointment;
    const entry = (await loadState(store, waitlistDecider, waitlistEntryStream(entryId))).state.entry;
    if (!appointment || appointment.status !== 'pending' || !entry || entry.status !== 'offered' || entry.offer?.appointmentId !== appointmentId) return;
    const { slot } = appointment;
    const service = await activeServiceOf(store, entry.serviceId, entry.organizationId);
    const specialist = await activeSpecialistOf(store, slot.specialistId);
    const local = formatInstant(Date.parse(slot.start), slot.timeZone);
    const until = formatInstant(Date.parse(entry.offer.expiresAt), slot.timeZone);
    const what = `${service?.details.name ?? 'An appointment'}${specialist ? ` with ${specialist.details.name}` : ''}`;
    const text = `Waitlist offer: ${what} on ${local.slice(0, 10)} at ${local.slice(11, 16)} is held for you until ${until.slice(0, 10)} ${until.slice(11, 16)}. Accept it in the app (waitlist entry ${entryId}).`;
    await textClient(deps, slot.clientId, text, { entryId }, 'waitlist offer SMS');
  };
}

/** At `expiresAt`: an offer still open expires, and its pending appointment is cancelled, giving the time to the next entry. */
export function waitlistExpiryHandler(deps: { store: EventStore; now: () => Date }): JobHandler<Record<string, string>> {
  const streams = { handle: createCommandHandler(deps.store), store: deps.store };
  return async (data) => {
    const { entryId, appointmentId } = data;
    if (!entryId || !appointmentId) throw new Error('waitlist-expiry job without entryId and appointmentId');
    const now = deps.now();
    const metadata = systemMetadata(data);
    const expired = await streams.handle(waitlistDecider, waitlistEntryStream(entryId), { type: 'ExpireOffer', data: { appointmentId, now: now.toISOString() } }, metadata);
    const entry = expired.state.entry;
    // Fired before its time (a clock apart from the queue's): failed, so the queue tries it again a little later.
    if (entry?.status === 'offered' && entry.offer?.appointmentId === appointmentId) throw new Error(`waitlist offer ${appointmentId} is not due until ${entry.offer.expiresAt}`);
    // Also after a crash between the two steps: the entry expired with this offer, its appointment is cancelled.
    if (entry?.status !== 'expired' || entry.offer?.appointmentId !== appointmentId) return;
    await cancelOffered(streams, appointmentId, 'waitlist offer expired', { kind: WAITLIST_ACTOR, id: entryId }, now, metadata);
  };
}
