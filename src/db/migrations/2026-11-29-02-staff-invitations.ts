import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// Staff join an organization by invitation only (docs/trust-model.md). The
// read model of invitations; and on each membership, the work contact the
// member chose to show colleagues (member lists never show login contacts).
// No legacy event fills either, so nothing needs rebuilding.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz')
    .execute();
  // "My invitations" (by verified email) and an organization's pending ones.
  await db.schema.createIndex('staff_invitations_email').on('staff_invitations').columns(['email', 'status']).execute();
  await db.schema.createIndex('staff_invitations_organization').on('staff_invitations').columns(['organization_id', 'status', 'created_at']).execute();

  await db.schema.alterTable('memberships').addColumn('work_email', 'text').execute();
  await db.schema.alterTable('memberships').addColumn('work_phone', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('memberships').dropColumn('work_phone').execute();
  await db.schema.alterTable('memberships').dropColumn('work_email').execute();
  await db.schema.dropTable('staff_invitations').execute();
}
