import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// One counter per limited thing (a destination, an account, an IP, a
// caller's history reads): how many in the window that began at
// window_start. Taken with one atomic upsert (src/auth/quotas.ts), so
// parallel requests in any number of processes cannot pass a cap together.
// The per-destination request log it replaces is dropped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('quotas')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('quotas_window_start').on('quotas').column('window_start').execute();
  await db.schema.dropTable('code_requests').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('code_requests')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('code_requests_destination').on('code_requests').columns(['destination', 'requested_at']).execute();
  await db.schema.dropTable('quotas').execute();
}
