import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { WaitlistEntryRow } from './tables.js';
import { asEvent } from '../../events/event.js';
import { waitlistEventTypes, type WaitlistEvent } from '../../events/waitlist/entry.js';
import type { Projection } from '../projection.js';

// Read model `waitlist_entries`: who waits for what, oldest first. The
// entry's stream decides every change; this table serves lists, lookups and
// the order in which a freed time is offered.

async function applyOne(trx: Transaction<Database>, event: WaitlistEvent): Promise<void> {
  const set = (id: string, values: { status: string; appointment_id?: string | null; expires_at?: string | null }, at: string) =>
    trx.updateTable('waitlist_entries').set({ ...values, updated_at: at }).where('id', '=', id).execute();
  switch (event.type) {
    case 'WaitlistJoined': {
      const d = event.data;
      await trx
        .insertInto('waitlist_entries')
        .values({
          id: d.entryId,
          organization_id: d.organizationId,
          client_kind: d.client.kind,
          client_id: d.client.id,
          service_id: d.serviceId,
          specialist_id: d.specialistId,
          from_date: d.fromDate,
          to_date: d.toDate,
          from_time: d.fromTime,
          to_time: d.toTime,
          status: 'waiting',
          appointment_id: null,
          expires_at: null,
          created_at: d.joinedAt,
          updated_at: d.joinedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'WaitlistOffered':
      await set(event.data.entryId, { status: 'offered', appointment_id: event.data.appointmentId, expires_at: event.data.expiresAt }, event.data.offeredAt);
      return;
    case 'WaitlistOfferLapsed':
      await set(event.data.entryId, { status: 'waiting', appointment_id: null, expires_at: null }, event.data.lapsedAt);
      return;
    case 'WaitlistOfferAccepted':
      await set(event.data.entryId, { status: 'booked' }, event.data.acceptedAt);
      return;
    case 'WaitlistOfferExpired':
      await set(event.data.entryId, { status: 'expired' }, event.data.expiredAt);
      return;
    case 'WaitlistWithdrawn':
      await set(event.data.entryId, { status: 'withdrawn' }, event.data.withdrawnAt);
      return;
    default:
      return;
  }
}

export const waitlistEntriesProjection: Projection = {
  name: 'waitlist-entries',
  parkUnappliable: true,
  canHandle: waitlistEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<WaitlistEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('waitlist_entries').execute();
  },
};

export function findWaitlistEntry(db: Kysely<Database>, entryId: string): Promise<WaitlistEntryRow | undefined> {
  return db.selectFrom('waitlist_entries').selectAll().where('id', '=', entryId).executeTakeFirst();
}

/** The organization's entries, oldest first; `open`: only those waiting or holding an offer (the order offers follow). */
export function listWaitlistEntries(db: Kysely<Database>, organizationId: string, open = false): Promise<WaitlistEntryRow[]> {
  let query = db.selectFrom('waitlist_entries').selectAll().where('organization_id', '=', organizationId);
  if (open) query = query.where('status', 'in', ['waiting', 'offered']);
  return query.orderBy('created_at').orderBy('id').execute();
}
