import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
//
// Events a projection could not apply (docs/projections.md, "Events a
// projection cannot apply"): set aside, one row per projection and event, so
// the projection moves on for everyone else and an operator sees what it skipped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projection_parked_events')
    .addColumn('projection', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('commit_position', 'bigint', (c) => c.notNull())
    .addColumn('prepare_position', 'bigint', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('parked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('projection_parked_events_pkey', ['projection', 'event_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('projection_parked_events').execute();
}
