import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// Read model of the services catalogue (stream `service-{id}`): what an
// organization offers, its length, price and who offers it. A removed
// service keeps its row (appointments booked by it still name it) with
// `removed_at` set; bookings read the service's stream, never this table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('price_amount', 'bigint', (c) => c.notNull())
    .addColumn('price_currency', 'text', (c) => c.notNull())
    .addColumn('specialist_ids', 'jsonb', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('buffer_before_minutes', 'integer', (c) => c.notNull())
    .addColumn('buffer_after_minutes', 'integer', (c) => c.notNull())
    .addColumn('removed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('services_organization').on('services').columns(['organization_id', 'name']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('services').execute();
}
