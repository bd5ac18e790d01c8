import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// The keys that encrypt personal data in events, one per owner (a person's
// account, an organization's record, a staff user), never in the log.
// Erasure sets `key` to null and keeps the row, so an erased owner never
// gets a new key by accident.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('personal_keys')
    .addColumn('owner', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('erased_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('personal_keys').execute();
}
