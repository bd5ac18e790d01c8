import type { Kysely } from 'kysely';

// Frozen: never import application code here.
// Read model of calendar feeds: listed per specialist, found by the hash of
// the URL's token (never the token itself). The feed streams decide.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calendar_feeds')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('specialist_id', 'uuid', (c) => c.notNull())
    .addColumn('client_details', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by_kind', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('calendar_feeds_specialist').on('calendar_feeds').columns(['specialist_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('calendar_feeds').execute();
  await db.deleteFrom('projection_checkpoints').where('name', '=', 'calendar-feeds').execute();
}
