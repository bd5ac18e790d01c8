import type { Kysely } from 'kysely';

// Frozen: never import application code here.
// Read model of the waitlist: entries, listed per organization oldest first
// (the order a freed time is offered in). The entry streams decide.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('waitlist_entries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('client_kind', 'text', (c) => c.notNull())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('service_id', 'uuid', (c) => c.notNull())
    .addColumn('specialist_id', 'uuid')
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text', (c) => c.notNull())
    .addColumn('from_time', 'text', (c) => c.notNull())
    .addColumn('to_time', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('appointment_id', 'uuid')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('waitlist_entries_organization').on('waitlist_entries').columns(['organization_id', 'status', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('waitlist_entries').execute();
  await db.deleteFrom('projection_checkpoints').where('name', '=', 'waitlist-entries').execute();
}
