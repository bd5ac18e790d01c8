import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
// Read models of scheduling. The invariants (no double booking, hours) are
// kept by the event streams; these tables serve lists and lookups.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('places')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('removed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('places_organization').on('places').columns(['organization_id', 'name']).execute();

  await db.schema
    .createTable('specialists')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('specialty', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone', 'text')
    .addColumn('user_id', 'uuid')
    .addColumn('time_zone', 'text')
    .addColumn('working_hours', 'jsonb')
    .addColumn('removed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('specialists_organization').on('specialists').columns(['organization_id', 'name']).execute();

  await db.schema
    .createTable('appointments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('specialist_id', 'uuid', (c) => c.notNull())
    .addColumn('place_id', 'uuid')
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    // The local date of the start in the specialist's time zone: "the day" staff think in.
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cost_amount', 'bigint', (c) => c.notNull())
    .addColumn('cost_currency', 'text', (c) => c.notNull())
    .addColumn('cancel_reason', 'text')
    .addColumn('cancelled_by', sql`jsonb`)
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('appointments_client').on('appointments').columns(['client_id', 'starts_at']).execute();
  await db.schema.createIndex('appointments_organization').on('appointments').columns(['organization_id', 'starts_at']).execute();
  await db.schema.createIndex('appointments_specialist').on('appointments').columns(['specialist_id', 'starts_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['appointments', 'specialists', 'places']) await db.schema.dropTable(table).execute();
}
