import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ClientRecordRow, ClientRecordsTable } from './tables.js';
import { asEvent } from '../../events/event.js';
import { clientRecordEventTypes, type ClientRecordEvent, type RecordChanges } from '../../events/clients/client-record.js';
import { ERASED } from '../../events/personal.js';
import { profileColumns, profileRow } from './client-accounts.js';
import type { Projection } from '../projection.js';

// Read model `client_records`: each organization's records of its clients,
// and which account (if any) the person linked. Queries in client-record-queries.ts.

function recordColumns(changes: RecordChanges): Updateable<ClientRecordsTable> {
  const { phone, ...profile } = changes;
  return { ...(profileColumns(profile) as Updateable<ClientRecordsTable>), ...(phone === undefined ? {} : { phone }) };
}

/**
 * Every personal column of an erased record, blanked to what a rebuild
 * reads once the key is gone, whatever the record held: "[erased]" text,
 * nothing where nothing is allowed, no links, nothing shared. Ids and times
 * stay (appointments name the record).
 */
const ERASED_COLUMNS = {
  account_id: null,
  phone: ERASED,
  email: null,
  first_name: ERASED,
  last_name: ERASED,
  patronymic: ERASED,
  birthday: null,
  sex: null,
  address: ERASED,
  additional_info: ERASED,
  links: '{}',
  shared: '[]',
  linked_at: null,
} satisfies Updateable<ClientRecordsTable>;

function update(trx: Transaction<Database>, recordId: string, version: number, columns: Updateable<ClientRecordsTable>) {
  return trx.updateTable('client_records').set({ ...columns, stream_version: version }).where('id', '=', recordId).execute();
}

async function applyOne(trx: Transaction<Database>, event: ClientRecordEvent, version: number): Promise<void> {
  switch (event.type) {
    case 'ClientRecordOpened': {
      const { recordId, organizationId, phone, profile, openedAt } = event.data;
      const row = {
        id: recordId,
        organization_id: organizationId,
        account_id: null,
        phone,
        ...profileRow(profile),
        shared: '[]',
        created_at: openedAt,
        updated_at: openedAt,
        linked_at: null,
        removed_at: null,
        stream_version: version,
      };
      // A removed record opened again starts over.
      const { id: _id, ...reopened } = row;
      await trx.insertInto('client_records').values(row).onConflict((oc) => oc.column('id').doUpdateSet(reopened)).execute();
      return;
    }
    case 'ClientRecordChanged':
      await update(trx, event.data.recordId, version, { ...recordColumns(event.data.changes), updated_at: event.data.changedAt });
      return;
    case 'ClientRecordLinked':
      await update(trx, event.data.recordId, version, { account_id: event.data.clientId, shared: JSON.stringify(event.data.shared), linked_at: event.data.linkedAt, updated_at: event.data.linkedAt });
      return;
    case 'ClientRecordUnlinked':
      await update(trx, event.data.recordId, version, { account_id: null, shared: '[]', linked_at: null, updated_at: event.data.unlinkedAt });
      return;
    case 'ClientRecordRemoved':
      await update(trx, event.data.recordId, version, { account_id: null, shared: '[]', linked_at: null, removed_at: event.data.removedAt, updated_at: event.data.removedAt });
      return;
    case 'ClientRecordErased':
      await update(trx, event.data.recordId, version, { ...ERASED_COLUMNS, updated_at: event.data.erasedAt });
      return;
    default:
      return;
  }
}

export const clientRecordsProjection: Projection = {
  name: 'client-records',
  parkUnappliable: true,
  canHandle: clientRecordEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<ClientRecordEvent>(stored), stored.version);
  },
  async reset(trx) {
    await trx.deleteFrom('client_records').execute();
  },
};

/** A record, removed ones included (callers decide what removal means to them). */
export function findClientRecord(db: Kysely<Database>, recordId: string): Promise<ClientRecordRow | undefined> {
  return db.selectFrom('client_records').selectAll().where('id', '=', recordId).executeTakeFirst();
}
