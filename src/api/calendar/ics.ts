import ical, { ICalEventStatus } from 'ical-generator';
import type { ClientDetails } from '../../events/calendar/feed.js';
import { ERASED } from '../../events/personal.js';
import type { FeedAppointment } from '../../projections/calendar/feed-appointments.js';

// A specialist's appointments as an iCalendar document (RFC 5545), written
// by ical-generator. Times are in UTC (every calendar shows them in its own
// zone; no VTIMEZONE needed). The summary is the service, and the client
// only as far as the feed's `client_details` allows; nothing else of the
// client, the price or the notes is ever written.

export const FALLBACK_SUMMARY = 'Appointment';

/** The client as the feed shows them, or nothing: `none`, no record to name, or a record whose names were erased. */
export function clientLabel(details: ClientDetails, client: FeedAppointment['client']): string | undefined {
  if (details === 'none' || !client) return undefined;
  const parts = [client.firstName, client.lastName].map((part) => part.trim()).filter((part) => part !== '' && part !== ERASED);
  if (parts.length === 0) return undefined;
  if (details === 'name') return parts.join(' ');
  // The first letter (a whole code point, so not half of a surrogate pair) of each name.
  return parts.map((part) => `${[...part][0]!.toLocaleUpperCase()}.`).join(' ');
}

export function summaryOf(details: ClientDetails, appointment: FeedAppointment): string {
  const service = appointment.service.trim() || FALLBACK_SUMMARY;
  const client = clientLabel(details, appointment.client);
  return client === undefined ? service : `${service} · ${client}`;
}

export interface FeedDocument {
  /** The calendar's name: the specialist's (their name is public). */
  readonly name: string;
  readonly clientDetails: ClientDetails;
  readonly appointments: readonly FeedAppointment[];
}

export function renderFeed(feed: FeedDocument): string {
  const calendar = ical({ name: feed.name, prodId: { company: 'service-booking', product: 'calendar-feeds', language: 'EN' } });
  for (const a of feed.appointments) {
    calendar.createEvent({
      // The appointment's id: stable across reschedules, so a calendar moves the event rather than adding one.
      id: a.id,
      start: a.startsAt,
      end: a.endsAt,
      // When the appointment last changed, not when the document was made: the same appointment reads the same.
      stamp: a.updatedAt,
      lastModified: a.updatedAt,
      summary: summaryOf(feed.clientDetails, a),
      location: a.placeName,
      status: a.status === 'pending' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
