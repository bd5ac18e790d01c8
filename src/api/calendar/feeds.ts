import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { calendarFeedDecider, MAX_DESCRIPTION } from '../../commands/calendar/feed.js';
import { DomainError } from '../../commands/errors.js';
import { calendarFeedStream, CLIENT_DETAILS, type ClientDetails } from '../../events/calendar/feed.js';
import { findCalendarFeed, linkedUserOf, listLiveFeeds } from '../../projections/calendar/feeds.js';
import type { CalendarFeedRow } from '../../projections/calendar/tables.js';
import { findSpecialist } from '../../projections/scheduling/specialists.js';
import { STAFF } from '../access.js';
import type { Dependencies } from '../dependencies.js';
import { FORBIDDEN, NotVisibleYet } from '../errors.js';
import { metadataOf } from '../metadata.js';
import { named } from '../openapi/components.js';
import { actorRefOf } from '../scheduling/appointments.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import { awaitVisible } from '../visibility.js';
import { feedAuthority } from './feed-access.js';
import { feedTokenHash, feedUrl, newFeedToken } from './tokens.js';

// Calendar feeds of a specialist: a secret URL serving their appointments as
// iCalendar (feed-document.ts), made here, listed without its URL, revoked
// for good. Who may: feed-access.ts. The URL is in the creation's reply only.

const FEED_ID = '7d1c8d2e-3b0a-4f57-9d55-2f1a9c0e6b41';
const SPECIALIST_ID = '0b6f3c52-8a7e-4c1d-b2f9-5e4d3a2c1b0a';
const CREATED_AT = '2027-03-01T09:00:00.000Z';

const ClientDetailsSchema = Type.Enum(CLIENT_DETAILS, {
  description: 'What the feed shows of each appointment’s client: `none` (the service only; the default), `initials`, or `name` (owner or admin only). Never phones, emails, notes or prices.',
});

const CreateBody = Type.Object(
  {
    client_details: Type.Optional(ClientDetailsSchema),
    /** Staff's own label of the URL. */
    description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION, description: 'Your own label of the URL (where it is used).' })),
  },
  { examples: [{ client_details: 'none', description: 'Dr Ivanova’s phone' }] },
);

const FeedFields = {
  id: Uuid,
  specialist_id: Uuid,
  client_details: ClientDetailsSchema,
  description: Type.String(),
  created_at: Timestamp,
};

const FEED_EXAMPLE = { id: FEED_ID, specialist_id: SPECIALIST_ID, client_details: 'none', description: 'Dr Ivanova’s phone', created_at: CREATED_AT };

const FeedReply = named('CalendarFeed', Type.Object(FeedFields, { description: 'A live calendar feed, without its URL (shown once, when it was made).', examples: [FEED_EXAMPLE] }));

const CreatedFeedReply = Type.Object(
  { ...FeedFields, url: Type.String({ format: 'uri', description: 'The secret URL of the feed: shown here only. Whoever has it reads the feed; revoke the feed to end that.' }) },
  {
    description: 'The feed, and its secret URL: keep it, it is never shown again.',
    examples: [{ ...FEED_EXAMPLE, url: 'https://booking.example/calendar/q2Xc7mJ0b9VwK3tE1yLrA8sPzN5uH4gD6fQiW0oRkTe.ics' }],
  },
);

const SpecialistParams = Type.Object({ id: Uuid });
const FeedParams = Type.Object({ id: Uuid });

const replyOf = (row: CalendarFeedRow) => ({
  id: row.id,
  specialist_id: row.specialist_id,
  client_details: row.client_details as ClientDetails,
  description: row.description,
  created_at: new Date(row.created_at).toISOString(),
});

const SELF_NAMES = 'Only an owner or admin of the organization may show client names in a feed.';

export const calendarFeedRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.post('/specialists/:id/calendar-feeds', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      operationId: 'createCalendarFeed',
      tags: ['calendar'],
      summary: 'Make a secret calendar (iCalendar) URL of a specialist’s appointments (owner, admin; or the specialist themself).',
      description: `The reply's \`url\` serves the specialist's appointments as \`text/calendar\` to whoever has it, until the feed is revoked; it is shown in this reply only. \`client_details\` \`name\` is for owners and admins (a specialist's own feed shows at most initials). ${SELF_NAMES}`,
      params: SpecialistParams,
      body: CreateBody,
      response: { 201: CreatedFeedReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const specialist = await findSpecialist(deps.db, request.params.id);
    const authority = await feedAuthority(deps, request, specialist?.organization_id, specialist?.user_id);
    const clientDetails = request.body.client_details ?? 'none';
    // Names leave the service for whatever calendar app the URL is given to: the organization's call, not the specialist's.
    if (clientDetails === 'name' && authority !== 'organization') throw new DomainError('forbidden', FORBIDDEN);
    const feedId = deps.newId();
    const token = newFeedToken();
    const { position } = await deps.handle(calendarFeedDecider, calendarFeedStream(feedId), {
      type: 'CreateFeed',
      data: {
        feedId,
        organizationId: specialist!.organization_id,
        specialistId: specialist!.id,
        clientDetails,
        description: request.body.description ?? '',
        tokenHash: feedTokenHash(token),
        by: actorRefOf(request),
        now: deps.now().toISOString(),
      },
    }, metadataOf(request));
    const location = `/api/v1/specialists/${specialist!.id}/calendar-feeds`;
    await awaitVisible(deps, position, ['calendar-feeds'], feedId, location);
    const row = await findCalendarFeed(deps.db, feedId);
    if (!row) throw new NotVisibleYet(feedId, location);
    return reply.code(201).send({ ...replyOf(row), url: feedUrl(request, deps.publicUrl, token) });
  });

  app.get('/specialists/:id/calendar-feeds', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      operationId: 'listCalendarFeeds',
      tags: ['calendar'],
      summary: 'A specialist’s live calendar feeds, oldest first, without their URLs (owner, admin; or the specialist themself).',
      params: SpecialistParams,
      response: { 200: Type.Array(FeedReply, { description: 'The live feeds; revoked ones are gone.', examples: [[FEED_EXAMPLE]] }), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const specialist = await findSpecialist(deps.db, request.params.id);
    await feedAuthority(deps, request, specialist?.organization_id, specialist?.user_id);
    return (await listLiveFeeds(deps.db, specialist!.id)).map(replyOf);
  });

  app.delete('/calendar-feeds/:id', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      operationId: 'revokeCalendarFeed',
      tags: ['calendar'],
      summary: 'Revoke a calendar feed: its URL answers 404 from this reply on (owner, admin; or the specialist themself).',
      params: FeedParams,
      response: { 204: Type.Null({ description: 'Revoked (or already revoked).' }), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const feed = await findCalendarFeed(deps.db, request.params.id);
    // The specialist may be removed since: the feed is still the organization's to revoke.
    await feedAuthority(deps, request, feed?.organization_id, feed ? await linkedUserOf(deps.db, feed.specialist_id) : undefined);
    const { position } = await deps.handle(calendarFeedDecider, calendarFeedStream(feed!.id), { type: 'RevokeFeed', data: { by: actorRefOf(request), now: deps.now().toISOString() } }, metadataOf(request));
    // Read your writes: the URL must answer 404 as soon as this 204 is out.
    await awaitVisible(deps, position, ['calendar-feeds'], feed!.id, `/api/v1/specialists/${feed!.specialist_id}/calendar-feeds`);
    return reply.code(204).send(null);
  });
};
