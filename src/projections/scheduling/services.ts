import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ServiceRow } from './tables.js';
import { asEvent } from '../../events/event.js';
import { serviceEventTypes, type ServiceEvent } from '../../events/scheduling/service.js';
import type { Projection } from '../projection.js';

// Read model `services`: an organization's catalogue, for its lists and
// lookups. Bookings and slots read the service's stream, never this table. A
// removed service keeps its row (appointments booked by it still name it)
// with `removed_at` set.

async function applyOne(trx: Transaction<Database>, event: ServiceEvent): Promise<void> {
  switch (event.type) {
    case 'ServiceCreated': {
      const { serviceId, organizationId, name, durationMinutes, price, specialistIds, capacity, bufferBeforeMinutes, bufferAfterMinutes, createdAt } = event.data;
      await trx
        .insertInto('services')
        .values({
          id: serviceId,
          organization_id: organizationId,
          name,
          duration_minutes: durationMinutes,
          price_amount: price.amount,
          price_currency: price.currency,
          specialist_ids: JSON.stringify(specialistIds),
          capacity,
          buffer_before_minutes: bufferBeforeMinutes,
          buffer_after_minutes: bufferAfterMinutes,
          created_at: createdAt,
          updated_at: createdAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'ServiceUpdated': {
      // Each named field to its column: nothing else in `changes` can reach the SQL.
      const { serviceId, changes, updatedAt } = event.data;
      const { name, durationMinutes, price, specialistIds, capacity, bufferBeforeMinutes, bufferAfterMinutes } = changes;
      await trx
        .updateTable('services')
        .set({
          ...(name === undefined ? {} : { name }),
          ...(durationMinutes === undefined ? {} : { duration_minutes: durationMinutes }),
          ...(price === undefined ? {} : { price_amount: price.amount, price_currency: price.currency }),
          ...(specialistIds === undefined ? {} : { specialist_ids: JSON.stringify(specialistIds) }),
          ...(capacity === undefined ? {} : { capacity }),
          ...(bufferBeforeMinutes === undefined ? {} : { buffer_before_minutes: bufferBeforeMinutes }),
          ...(bufferAfterMinutes === undefined ? {} : { buffer_after_minutes: bufferAfterMinutes }),
          updated_at: updatedAt,
        })
        .where('id', '=', serviceId)
        .execute();
      return;
    }
    case 'ServiceRemoved':
      await trx.updateTable('services').set({ removed_at: event.data.removedAt, updated_at: event.data.removedAt }).where('id', '=', event.data.serviceId).execute();
      return;
    default:
      return;
  }
}

export const servicesProjection: Projection = {
  name: 'services',
  parkUnappliable: true,
  canHandle: serviceEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<ServiceEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('services').execute();
  },
};

/** A service that has not been removed. */
export function findService(db: Kysely<Database>, serviceId: string): Promise<ServiceRow | undefined> {
  return db.selectFrom('services').selectAll().where('id', '=', serviceId).where('removed_at', 'is', null).executeTakeFirst();
}

/** The organization's services on offer (not removed), by name. */
export function listServices(db: Kysely<Database>, organizationId: string): Promise<ServiceRow[]> {
  return db.selectFrom('services').selectAll().where('organization_id', '=', organizationId).where('removed_at', 'is', null).orderBy('name').orderBy('id').execute();
}
