import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import type { ClientDetails } from '../../events/calendar/feed.js';
import type { WorkingHours } from '../../events/scheduling/specialist.js';
import { DEFAULT_POLICY } from '../../events/scheduling/specialist.js';
import { feedAppointments } from '../../projections/calendar/feed-appointments.js';
import { findLiveFeedByTokenHash } from '../../projections/calendar/feeds.js';
import { findSpecialist } from '../../projections/scheduling/specialists.js';
import type { Dependencies } from '../dependencies.js';
import { errorReplies } from '../schemas.js';
import { renderFeed } from './ics.js';
import { FEED_TOKEN, feedTokenHash, redactedFeedPath } from './tokens.js';

// GET /calendar/{token}.ics: the feed itself, for calendar apps that
// subscribe to a URL (they send no credentials: the token is the right to
// read). Outside /api/v1, so the URL stays short and says what it is; its
// access is declared `public` like every route under /api/ (src/api/access.ts).
//
// A token that is malformed, unknown or revoked, or whose specialist was
// removed, is the same 404 as any unknown URL. The token is looked up by its
// hash and never logged: this route's log lines show the path redacted.

/** Appointments this long ago still show (a calendar keeps the recent past). */
export const FEED_PAST_DAYS = 30;
const DAY_MS = 86_400_000;

const FeedParams = Type.Object({ token: Type.String({ description: 'The secret token of the feed’s URL, as `POST /api/v1/specialists/{id}/calendar-feeds` gave it.' }) });

const EXAMPLE = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//service-booking//calendar-feeds//EN',
  'NAME:Dr Ivanova',
  'X-WR-CALNAME:Dr Ivanova',
  'BEGIN:VEVENT',
  'UID:5f0e2a8c-1d3b-4e6f-9a7c-2b8d4e6f0a1c',
  'SEQUENCE:0',
  'DTSTAMP:20270301T090000Z',
  'DTSTART:20270310T070000Z',
  'DTEND:20270310T073000Z',
  'SUMMARY:Check-up',
  'LOCATION:Room 1',
  'STATUS:CONFIRMED',
  'LAST-MODIFIED:20270301T090000Z',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

/** How far ahead the specialist takes bookings (their working hours' horizon; the default without hours). */
function horizonDays(workingHours: unknown): number {
  const hours = workingHours as Partial<WorkingHours> | null;
  return hours?.policy?.horizonDays ?? DEFAULT_POLICY.horizonDays;
}

const notFound = () => new DomainError('not_found', 'Not found.');

export const feedDocumentRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.get('/calendar/:token.ics', {
    config: { access: { kind: 'public' } },
    // The token is the whole secret: request log lines name the route, never the URL.
    logSerializers: {
      req: (request: FastifyRequest) => ({ method: request.method, url: redactedFeedPath(request.url), host: request.host, remoteAddress: request.ip }),
    },
    schema: {
      operationId: 'getCalendarFeed',
      tags: ['calendar'],
      summary: 'A specialist’s appointments as an iCalendar feed (RFC 5545), for calendar apps; the token in the URL is the right to read it.',
      description: `One VEVENT per appointment of the specialist from ${FEED_PAST_DAYS} days ago to their booking horizon ahead, cancelled ones left out: UID the appointment's id, DTSTART and DTEND in UTC, SUMMARY the service (with the client's initials or name only if the feed was made so), LOCATION the place, STATUS CONFIRMED or TENTATIVE (pending), LAST-MODIFIED. A revoked, unknown or malformed token is 404.`,
      params: FeedParams,
      response: {
        200: {
          description: 'The feed, as iCalendar text.',
          content: { 'text/calendar': { schema: Type.String({ description: 'RFC 5545 iCalendar text.' }), example: EXAMPLE } },
        },
        ...errorReplies(400, 404),
      },
    },
  }, async (request, reply) => {
    const { token } = request.params;
    // A malformed token is not looked up at all; a well-formed one only through its hash.
    if (!FEED_TOKEN.test(token)) throw notFound();
    const feed = await findLiveFeedByTokenHash(deps.db, feedTokenHash(token));
    if (!feed) throw notFound();
    const specialist = await findSpecialist(deps.db, feed.specialist_id);
    if (!specialist) throw notFound();
    const now = deps.now().getTime();
    const clientDetails = feed.client_details as ClientDetails;
    const appointments = await feedAppointments(
      deps.db,
      specialist.id,
      { from: new Date(now - FEED_PAST_DAYS * DAY_MS), to: new Date(now + (horizonDays(specialist.working_hours) + 1) * DAY_MS) },
      clientDetails !== 'none',
    );
    return reply
      .header('content-type', 'text/calendar; charset=utf-8')
      // What it holds is as private as the URL: no shared cache keeps it, and every poll reads the schedule as it is.
      .header('cache-control', 'private, no-store')
      .header('content-disposition', 'inline; filename="calendar.ics"')
      .send(renderFeed({ name: specialist.name, clientDetails, appointments }));
  });
};
