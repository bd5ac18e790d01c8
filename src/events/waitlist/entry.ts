import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { ActorRef } from '../scheduling/schedule.js';
import { Nullable } from '../schema.js';

// Stream `waitlist-{entryId}`: one client waiting for a time of one service
// (with one specialist, or any who offers it) inside a window of dates and
// local hours. When a matching time frees up the entry is offered it: a
// pending appointment holds the time (decided on the day stream like every
// booking) until the client accepts or the offer expires. One stream per
// entry, so an entry never holds two open offers.
//
//   waiting -> offered -> booked
//   offered -> waiting (the booking of the offer lost the time: lapsed)
//   offered -> expired
//   waiting | offered -> withdrawn

export const waitlistEntryStream = (entryId: string) => `waitlist-${entryId}`;

export const WAITLIST_STATUSES = ['waiting', 'offered', 'booked', 'expired', 'withdrawn'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

/**
 * Who waits: a client who joined for themself (`account`: their account, the
 * organization's record of them is found or opened when an offer is booked)
 * or a record of the organization that staff put on the list.
 */
export const WaitlistClient = Type.Object({ kind: Type.Union([Type.Literal('account'), Type.Literal('record')]), id: Type.String() });
export type WaitlistClient = Static<typeof WaitlistClient>;

/** Local dates (YYYY-MM-DD, both included) and local hours (HH:MM, '24:00' the end of the day) in the specialist's zone. */
export const WaitlistWindow = Type.Object({ fromDate: Type.String(), toDate: Type.String(), fromTime: Type.String(), toTime: Type.String() });
export type WaitlistWindow = Static<typeof WaitlistWindow>;

const Ids = { entryId: Type.String(), organizationId: Type.String() };

export const WaitlistJoinedData = Type.Object({
  ...Ids,
  client: WaitlistClient,
  serviceId: Type.String(),
  /** null: any specialist who offers the service. */
  specialistId: Nullable(Type.String()),
  ...WaitlistWindow.properties,
  joinedBy: ActorRef,
  joinedAt: Type.String(),
});
/** `claimId`: the released claim whose time is offered (a retried offer finds its own). */
export const WaitlistOfferedData = Type.Object({
  ...Ids,
  appointmentId: Type.String(),
  claimId: Type.String(),
  specialistId: Type.String(),
  start: Type.String(),
  end: Type.String(),
  expiresAt: Type.String(),
  offeredAt: Type.String(),
});
export const WaitlistOfferLapsedData = Type.Object({ ...Ids, appointmentId: Type.String(), lapsedAt: Type.String() });
export const WaitlistOfferAcceptedData = Type.Object({ ...Ids, appointmentId: Type.String(), acceptedBy: ActorRef, acceptedAt: Type.String() });
export const WaitlistOfferExpiredData = Type.Object({ ...Ids, appointmentId: Type.String(), expiredAt: Type.String() });
export const WaitlistWithdrawnData = Type.Object({ ...Ids, withdrawnBy: ActorRef, withdrawnAt: Type.String() });

export type WaitlistJoined = Event<'WaitlistJoined', Static<typeof WaitlistJoinedData>>;
export type WaitlistOffered = Event<'WaitlistOffered', Static<typeof WaitlistOfferedData>>;
/** The offer's booking lost the time to another booking: the entry waits again. */
export type WaitlistOfferLapsed = Event<'WaitlistOfferLapsed', Static<typeof WaitlistOfferLapsedData>>;
export type WaitlistOfferAccepted = Event<'WaitlistOfferAccepted', Static<typeof WaitlistOfferAcceptedData>>;
export type WaitlistOfferExpired = Event<'WaitlistOfferExpired', Static<typeof WaitlistOfferExpiredData>>;
export type WaitlistWithdrawn = Event<'WaitlistWithdrawn', Static<typeof WaitlistWithdrawnData>>;

export type WaitlistEvent = WaitlistJoined | WaitlistOffered | WaitlistOfferLapsed | WaitlistOfferAccepted | WaitlistOfferExpired | WaitlistWithdrawn;

export const waitlistEventTypes: readonly WaitlistEvent['type'][] = [
  'WaitlistJoined',
  'WaitlistOffered',
  'WaitlistOfferLapsed',
  'WaitlistOfferAccepted',
  'WaitlistOfferExpired',
  'WaitlistWithdrawn',
];
