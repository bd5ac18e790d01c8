import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { SpecialistRow } from './tables.js';
import { asEvent } from '../../events/event.js';
import { specialistEventTypes, type SpecialistEvent } from '../../events/scheduling/specialist.js';
import type { Projection } from '../projection.js';

// Read model `specialists`, with their working hours as one JSON document
// (the lists show them; slots and bookings read the specialist's stream).

async function applyOne(trx: Transaction<Database>, event: SpecialistEvent): Promise<void> {
  switch (event.type) {
    case 'SpecialistCreated': {
      const { specialistId, organizationId, name, specialty, phone, userId, createdAt } = event.data;
      await trx
        .insertInto('specialists')
        .values({ id: specialistId, organization_id: organizationId, name, specialty, phone, user_id: userId, created_at: createdAt, updated_at: createdAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'SpecialistUpdated': {
      const { specialistId, changes, updatedAt } = event.data;
      const { name, specialty, phone, userId } = changes;
      await trx
        .updateTable('specialists')
        .set({
          ...(name === undefined ? {} : { name }),
          ...(specialty === undefined ? {} : { specialty }),
          ...(phone === undefined ? {} : { phone }),
          ...(userId === undefined ? {} : { user_id: userId }),
          updated_at: updatedAt,
        })
        .where('id', '=', specialistId)
        .execute();
      return;
    }
    case 'SpecialistRemoved':
      await trx.updateTable('specialists').set({ removed_at: event.data.removedAt, updated_at: event.data.removedAt }).where('id', '=', event.data.specialistId).execute();
      return;
    case 'WorkingHoursSet': {
      const { specialistId, hours, setAt } = event.data;
      await trx.updateTable('specialists').set({ time_zone: hours.timeZone, working_hours: JSON.stringify(hours), updated_at: setAt }).where('id', '=', specialistId).execute();
      return;
    }
    default:
      return;
  }
}

export const specialistsProjection: Projection = {
  name: 'specialists',
  parkUnappliable: true,
  canHandle: specialistEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<SpecialistEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('specialists').execute();
  },
};

/** A specialist who has not been removed. */
export function findSpecialist(db: Kysely<Database>, specialistId: string): Promise<SpecialistRow | undefined> {
  return db.selectFrom('specialists').selectAll().where('id', '=', specialistId).where('removed_at', 'is', null).executeTakeFirst();
}

/** The specialists of an organization, or (null) of every organization: the lists are public. */
export function listSpecialists(db: Kysely<Database>, organizationId: string | null, filter: { readonly specialty?: string } = {}): Promise<SpecialistRow[]> {
  let query = db.selectFrom('specialists').selectAll().where('removed_at', 'is', null);
  if (organizationId !== null) query = query.where('organization_id', '=', organizationId);
  if (filter.specialty) query = query.where('specialty', '=', filter.specialty);
  return query.orderBy('name').orderBy('id').execute();
}
