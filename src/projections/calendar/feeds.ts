import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { CalendarFeedRow } from './tables.js';
import { asEvent } from '../../events/event.js';
import { calendarFeedEventTypes, type CalendarFeedEvent } from '../../events/calendar/feed.js';
import type { Projection } from '../projection.js';

// Read model `calendar_feeds`: the feeds of each specialist, and the lookup
// of a URL by the hash of its token. The feed's stream decides; a revoked
// feed keeps its row (revoked_at) and is found by no lookup.

async function applyOne(trx: Transaction<Database>, event: CalendarFeedEvent): Promise<void> {
  switch (event.type) {
    case 'CalendarFeedCreated': {
      const d = event.data;
      await trx
        .insertInto('calendar_feeds')
        .values({
          id: d.feedId,
          organization_id: d.organizationId,
          specialist_id: d.specialistId,
          client_details: d.clientDetails,
          description: d.description,
          token_hash: d.tokenHash,
          created_by_kind: d.createdBy.kind,
          created_by_id: d.createdBy.id ?? null,
          created_at: d.createdAt,
          revoked_at: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'CalendarFeedRevoked':
      await trx.updateTable('calendar_feeds').set({ revoked_at: event.data.revokedAt }).where('id', '=', event.data.feedId).where('revoked_at', 'is', null).execute();
      return;
    default:
      return;
  }
}

export const calendarFeedsProjection: Projection = {
  name: 'calendar-feeds',
  parkUnappliable: true,
  canHandle: calendarFeedEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<CalendarFeedEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('calendar_feeds').execute();
  },
};

/** A feed, revoked or not. */
export function findCalendarFeed(db: Kysely<Database>, feedId: string): Promise<CalendarFeedRow | undefined> {
  return db.selectFrom('calendar_feeds').selectAll().where('id', '=', feedId).executeTakeFirst();
}

/** The live feed whose token hashes to this: an equality lookup on the hash, so no comparison of the secret itself can be timed. */
export function findLiveFeedByTokenHash(db: Kysely<Database>, tokenHash: string): Promise<CalendarFeedRow | undefined> {
  return db.selectFrom('calendar_feeds').selectAll().where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
}

/** A specialist's live feeds, oldest first. */
export function listLiveFeeds(db: Kysely<Database>, specialistId: string): Promise<CalendarFeedRow[]> {
  return db.selectFrom('calendar_feeds').selectAll().where('specialist_id', '=', specialistId).where('revoked_at', 'is', null).orderBy('created_at').orderBy('id').execute();
}

/** The staff user a specialist is linked to, removed or not (their own feeds stay theirs to revoke). */
export async function linkedUserOf(db: Kysely<Database>, specialistId: string): Promise<string | null> {
  const row = await db.selectFrom('specialists').select('user_id').where('id', '=', specialistId).executeTakeFirst();
  return row?.user_id ?? null;
}
