import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { Nullable } from '../schema.js';

// Stream `schedule-{organizationId}-{yyyy-mm-dd}`: every slot claim of one
// organization-day, so that one decision sees them all and one optimistic
// append settles a race (docs/architecture.md, "Streams and where races are settled").
//
// The day is the local date in the specialist's time zone. A claim is
// recorded in EVERY day its time (buffers included) touches: an appointment
// from 23:30 to 00:30 is claimed in both days, so any two overlapping claims
// share at least one day stream, where the second of them is refused. The
// appointment itself (status, who, cost) lives in `appointment-{id}`; a claim
// only holds time. See src/workflows/scheduling/claims.ts for how the two agree.
//
// The days are counted in the booking specialist's zone. Specialists of one
// organization who share places or clients are expected to share a zone (a
// branch in another zone has its own rooms): two zones could name the same
// instant with different dates, and such claims would meet in no day stream.

export const scheduleStream = (organizationId: string, day: string) => `schedule-${organizationId}-${day}`;

export const Cost = Type.Object({ amount: Type.Integer(), currency: Type.String() });
export type Cost = Static<typeof Cost>;

export const ActorRef = Type.Object({ kind: Type.String(), id: Type.Optional(Type.String()) });
export type ActorRef = Static<typeof ActorRef>;

/**
 * What a new booking records once its claim is adopted (absent on a
 * reschedule). Staff set the service and the price, or leave them empty
 * ('' and null); a client booking for themself never sets them.
 */
export const BookingTerms = Type.Object({
  service: Type.String(),
  cost: Nullable(Cost),
  bookedBy: ActorRef,
  /** Booked by a service of the catalogue (service.ts): its id. */
  serviceId: Type.Optional(Type.String()),
  /** One occurrence of a weekly series booked in one request: the series' id. */
  seriesId: Type.Optional(Type.String()),
});
export type BookingTerms = Static<typeof BookingTerms>;

export const Claim = Type.Object({
  claimId: Type.String(),
  appointmentId: Type.String(),
  organizationId: Type.String(),
  /** The appointment stream's version this claim builds on: -1 for a new booking. */
  basis: Type.Integer(),
  /** Local date of the start: where the appointment "is". */
  day: Type.String(),
  /** Every day stream holding a part of this claim, ascending. */
  days: Type.Array(Type.String()),
  specialistId: Type.String(),
  placeId: Nullable(Type.String()),
  /** The organization's client record. */
  clientId: Type.String(),
  /** ISO instants (UTC). */
  start: Type.String(),
  end: Type.String(),
  timeZone: Type.String(),
  bufferBeforeMinutes: Type.Integer(),
  bufferAfterMinutes: Type.Integer(),
  terms: Type.Optional(BookingTerms),
  /**
   * A seat of a group session: claims of the same service, specialist and
   * time share it, up to `capacity` clients (src/commands/scheduling/conflicts.ts).
   */
  seat: Type.Optional(Type.Object({ serviceId: Type.String(), capacity: Type.Integer() })),
});
export type Claim = Static<typeof Claim>;

/** 2: `clientId` names the record, and `terms.cost` may be null. */
export const SlotClaimedData = Type.Object({ schemaVersion: Type.Literal(2), ...Claim.properties, claimedAt: Type.String() });
export const SlotReleasedData = Type.Object({
  claimId: Type.String(),
  appointmentId: Type.String(),
  organizationId: Type.String(),
  reason: Type.Union([Type.Literal('cancelled'), Type.Literal('completed'), Type.Literal('no_show'), Type.Literal('rescheduled'), Type.Literal('rejected'), Type.Literal('superseded')]),
  releasedAt: Type.String(),
});

export type SlotReleaseReason = Static<typeof SlotReleasedData>['reason'];

/** Holds the time for one appointment in this day. */
export type SlotClaimed = Event<'SlotClaimed', Static<typeof SlotClaimedData>>;
export type SlotReleased = Event<'SlotReleased', Static<typeof SlotReleasedData>>;

export type ScheduleEvent = SlotClaimed | SlotReleased;

export const scheduleEventTypes: readonly ScheduleEvent['type'][] = ['SlotClaimed', 'SlotReleased'];
