import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { ActorRef, Claim, Cost, type SlotReleaseReason } from './schedule.js';
import { Nullable } from '../schema.js';

// Stream `appointment-{appointmentId}`: the source of truth for one
// appointment (status, time, place, cost). Its time is held by a claim in
// the day streams (schedule.ts); the claim an appointment adopted is the one
// that counts, and adoption and rejection of a claim are decided here, so a
// claim is never both.
//
// An appointment names the organization's client RECORD (`slot.clientId`,
// src/events/clients/client-record.ts), never a person's account. Every event that
// carries a slot is at version 2; version 1 named the account and is read as
// the record `recordIdFor(organizationId, account)` (src/events/catalogue.ts).

export const appointmentStream = (appointmentId: string) => `appointment-${appointmentId}`;

export const STATUSES = ['pending', 'confirmed', 'completed', 'cancelled', 'no_show'] as const;
export type AppointmentStatus = (typeof STATUSES)[number];

/** Where and when, as adopted from a claim: the claim's own fields, never restated. */
export const AppointmentSlot = Type.Pick(Claim, ['claimId', 'day', 'days', 'specialistId', 'placeId', 'clientId', 'start', 'end', 'timeZone']);
export type AppointmentSlot = Static<typeof AppointmentSlot>;

const Ids = { appointmentId: Type.String(), organizationId: Type.String() };
/** Events naming a client record (and a nullable cost): version 2. */
const V2 = { schemaVersion: Type.Literal(2), ...Ids };

/** `service` and `cost` as staff set them ('' and null when not set; a client booking for themself sets neither). */
export const AppointmentBookedData = Type.Object({
  ...V2,
  slot: AppointmentSlot,
  service: Type.String(),
  cost: Nullable(Cost),
  bookedBy: ActorRef,
  bookedAt: Type.String(),
  /** One occurrence of a weekly series booked in one request (src/workflows/scheduling/series.ts): the series' id. */
  seriesId: Type.Optional(Type.String()),
});
export const AppointmentRescheduledData = Type.Object({ ...V2, from: AppointmentSlot, to: AppointmentSlot, rescheduledAt: Type.String() });
export const AppointmentClaimRejectedData = Type.Object({
  ...Ids,
  claimId: Type.String(),
  conflicts: Type.Record(Type.String(), Type.Array(Type.String())),
  rejectedAt: Type.String(),
});
export const AppointmentConfirmedData = Type.Object({ ...Ids, confirmedBy: ActorRef, confirmedAt: Type.String() });
export const AppointmentCompletedData = Type.Object({ ...V2, slot: AppointmentSlot, completedAt: Type.String() });
export const AppointmentCancelledData = Type.Object({ ...V2, slot: AppointmentSlot, reason: Type.String(), cancelledBy: ActorRef, cancelledAt: Type.String() });
export const AppointmentMarkedNoShowData = Type.Object({ ...V2, slot: AppointmentSlot, markedAt: Type.String() });
export const AppointmentCostChangedData = Type.Object({ ...Ids, cost: Cost, changedAt: Type.String() });

export type AppointmentBooked = Event<'AppointmentBooked', Static<typeof AppointmentBookedData>>;
export type AppointmentRescheduled = Event<'AppointmentRescheduled', Static<typeof AppointmentRescheduledData>>;
/** A claim made for this appointment lost (it conflicted on a later day); it is never adopted. */
export type AppointmentClaimRejected = Event<'AppointmentClaimRejected', Static<typeof AppointmentClaimRejectedData>>;
export type AppointmentConfirmed = Event<'AppointmentConfirmed', Static<typeof AppointmentConfirmedData>>;
export type AppointmentCompleted = Event<'AppointmentCompleted', Static<typeof AppointmentCompletedData>>;
export type AppointmentCancelled = Event<'AppointmentCancelled', Static<typeof AppointmentCancelledData>>;
export type AppointmentMarkedNoShow = Event<'AppointmentMarkedNoShow', Static<typeof AppointmentMarkedNoShowData>>;
export type AppointmentCostChanged = Event<'AppointmentCostChanged', Static<typeof AppointmentCostChangedData>>;

export type AppointmentEvent =
  | AppointmentBooked
  | AppointmentRescheduled
  | AppointmentClaimRejected
  | AppointmentConfirmed
  | AppointmentCompleted
  | AppointmentCancelled
  | AppointmentMarkedNoShow
  | AppointmentCostChanged;

export const appointmentEventTypes: readonly AppointmentEvent['type'][] = [
  'AppointmentBooked',
  'AppointmentRescheduled',
  'AppointmentClaimRejected',
  'AppointmentConfirmed',
  'AppointmentCompleted',
  'AppointmentCancelled',
  'AppointmentMarkedNoShow',
  'AppointmentCostChanged',
];

/**
 * The one list of events after which the appointment no longer holds a time,
 * with the reason its SlotReleased records. Each names the slot it gives up
 * (`from` for a reschedule, `slot` otherwise: releasedSlotOf), so deciders,
 * workflows and reactors act on the event alone.
 */
export const releaseReasonOf = {
  AppointmentRescheduled: 'rescheduled',
  AppointmentCancelled: 'cancelled',
  AppointmentCompleted: 'completed',
  AppointmentMarkedNoShow: 'no_show',
} as const satisfies Partial<Record<AppointmentEvent['type'], SlotReleaseReason>>;

export type ReleasingEvent = Extract<AppointmentEvent, { type: keyof typeof releaseReasonOf }>;

export const releasingEventTypes = Object.keys(releaseReasonOf) as readonly ReleasingEvent['type'][];

export const isReleasing = (event: AppointmentEvent): event is ReleasingEvent => Object.hasOwn(releaseReasonOf, event.type);

/** The slot a releasing event gives up. */
export const releasedSlotOf = (event: ReleasingEvent): AppointmentSlot => (event.type === 'AppointmentRescheduled' ? event.data.from : event.data.slot);
