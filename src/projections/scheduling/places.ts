import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { PlaceRow } from './tables.js';
import { asEvent } from '../../events/event.js';
import { placeEventTypes, type PlaceEvent } from '../../events/scheduling/place.js';
import type { Projection } from '../projection.js';

// Read model `places`: an organization's rooms and branches. A removed place
// keeps its row (appointments still name it) with `removed_at` set.

async function applyOne(trx: Transaction<Database>, event: PlaceEvent): Promise<void> {
  switch (event.type) {
    case 'PlaceCreated': {
      const { placeId, organizationId, name, address, description, createdAt } = event.data;
      await trx
        .insertInto('places')
        .values({ id: placeId, organization_id: organizationId, name, address, description, created_at: createdAt, updated_at: createdAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'PlaceUpdated': {
      // Each named field to its column: nothing else in `changes` can reach the SQL.
      const { placeId, changes, updatedAt } = event.data;
      const { name, address, description } = changes;
      await trx
        .updateTable('places')
        .set({
          ...(name === undefined ? {} : { name }),
          ...(address === undefined ? {} : { address }),
          ...(description === undefined ? {} : { description }),
          updated_at: updatedAt,
        })
        .where('id', '=', placeId)
        .execute();
      return;
    }
    case 'PlaceRemoved':
      await trx.updateTable('places').set({ removed_at: event.data.removedAt, updated_at: event.data.removedAt }).where('id', '=', event.data.placeId).execute();
      return;
    default:
      return;
  }
}

export const placesProjection: Projection = {
  name: 'places',
  parkUnappliable: true,
  canHandle: placeEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<PlaceEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('places').execute();
  },
};

/** A place that has not been removed. */
export function findPlace(db: Kysely<Database>, placeId: string): Promise<PlaceRow | undefined> {
  return db.selectFrom('places').selectAll().where('id', '=', placeId).where('removed_at', 'is', null).executeTakeFirst();
}

export function listPlaces(db: Kysely<Database>, organizationId: string): Promise<PlaceRow[]> {
  return db.selectFrom('places').selectAll().where('organization_id', '=', organizationId).where('removed_at', 'is', null).orderBy('name').orderBy('id').execute();
}
