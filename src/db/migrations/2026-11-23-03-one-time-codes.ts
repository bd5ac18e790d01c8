import type { Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per challenge (a code request recorded in the log). The code
  // itself is only ever here as an HMAC, written by the worker that sends it.
  await db.schema
    .createTable('code_challenges')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'uuid', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('code_hmac', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('consumed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('code_challenges_subject').on('code_challenges').columns(['subject_id', 'purpose', 'issued_at']).execute();

  // Requests for codes per destination (phone or email), for the resend
  // cooldown and the hourly cap, whether or not the destination is known.
  await db.schema
    .createTable('code_requests')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('code_requests_destination').on('code_requests').columns(['destination', 'requested_at']).execute();

  // Failed password logins per account identifier, for throttling.
  await db.schema
    .createTable('login_failures')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['login_failures', 'code_requests', 'code_challenges']) await db.schema.dropTable(table).execute();
}
