import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { ActorRef } from '../scheduling/schedule.js';

// Stream `calendar-feed-{feedId}`: one secret URL that serves a specialist's
// appointments as an iCalendar (RFC 5545) feed, until it is revoked.
//
//   active -> revoked
//
// The URL's token is never written here: only its SHA-256, which the feed's
// read model looks the token up by. Whoever holds the log cannot rebuild the URL.

export const calendarFeedStream = (feedId: string) => `calendar-feed-${feedId}`;

/**
 * What a feed shows of an appointment's client, as the organization chose:
 * `none` (the service only), `initials`, or `name` (first and last name of
 * the organization's record). Never phones, emails, notes or prices.
 */
export const CLIENT_DETAILS = ['none', 'initials', 'name'] as const;
export type ClientDetails = (typeof CLIENT_DETAILS)[number];

export const CalendarFeedCreatedData = Type.Object({
  feedId: Type.String(),
  organizationId: Type.String(),
  specialistId: Type.String(),
  clientDetails: Type.Enum(CLIENT_DETAILS),
  /** Staff's own label for the feed ("Dr Ivanova's phone"); '' when none. */
  description: Type.String(),
  /** Hex SHA-256 of the URL's token. */
  tokenHash: Type.String(),
  createdBy: ActorRef,
  createdAt: Type.String(),
});
export const CalendarFeedRevokedData = Type.Object({
  feedId: Type.String(),
  organizationId: Type.String(),
  specialistId: Type.String(),
  revokedBy: ActorRef,
  revokedAt: Type.String(),
});

export type CalendarFeedCreated = Event<'CalendarFeedCreated', Static<typeof CalendarFeedCreatedData>>;
/** The URL answers 404 from then on. */
export type CalendarFeedRevoked = Event<'CalendarFeedRevoked', Static<typeof CalendarFeedRevokedData>>;

export type CalendarFeedEvent = CalendarFeedCreated | CalendarFeedRevoked;

export const calendarFeedEventTypes: readonly CalendarFeedEvent['type'][] = ['CalendarFeedCreated', 'CalendarFeedRevoked'];
