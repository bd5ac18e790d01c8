import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
//
// The trust model (docs/trust-model.md): a person's account and each
// organization's record of a client are apart. The old `clients` table (one
// profile per person that every organization wrote) and its memberships go;
// their projections rebuild into the new tables from position zero. The
// appointments read model rebuilds too: an appointment now names the
// organization's record, not the person's account.
export async function up(db: Kysely<any>): Promise<void> {
  // A code opens only the destination it was sent to.
  await db.schema.alterTable('code_challenges').addColumn('destination', 'text').execute();
  await db.schema.createIndex('code_challenges_destination').on('code_challenges').columns(['destination', 'purpose', 'issued_at']).execute();

  await db.schema.dropTable('client_organizations').ifExists().execute();
  await db.schema.dropTable('clients').ifExists().execute();
  await db.deleteFrom('projection_checkpoints').where('name', 'in', ['clients', 'appointments']).execute();
  await db.deleteFrom('appointments').execute();

  // The person's own account: login phone, verification, the profile they keep themself.
  await db.schema
    .createTable('client_accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('confirmed_phone', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('patronymic', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('birthday', 'text')
    .addColumn('sex', 'text')
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('additional_info', 'text', (c) => c.notNull())
    .addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_accounts_phone').on('client_accounts').columns(['phone', 'confirmed_phone']).execute();

  // What one organization knows of a client; linked to an account only by the person.
  await db.schema
    .createTable('client_records')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('account_id', 'uuid')
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('patronymic', 'text', (c) => c.notNull())
    .addColumn('birthday', 'text')
    .addColumn('sex', 'text')
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('additional_info', 'text', (c) => c.notNull())
    .addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('shared', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz')
    .addColumn('removed_at', 'timestamptz')
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_records_name').on('client_records').expression(sql`organization_id, lower(last_name || ' ' || first_name || ' ' || patronymic), id`).execute();
  await db.schema.createIndex('client_records_created').on('client_records').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('client_records_phone_prefix').on('client_records').expression(sql`organization_id, phone text_pattern_ops`).execute();
  await db.schema.createIndex('client_records_phone').on('client_records').columns(['phone']).execute();
  await db.schema.createIndex('client_records_account').on('client_records').columns(['account_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('client_records').execute();
  await db.schema.dropTable('client_accounts').execute();
  await db.schema.dropIndex('code_challenges_destination').execute();
  await db.schema.alterTable('code_challenges').dropColumn('destination').execute();
}
