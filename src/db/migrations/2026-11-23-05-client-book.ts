import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Which organizations a client belongs to (staff added them, or they booked there).
  await db.schema
    .createTable('client_organizations')
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_organizations_pk', ['client_id', 'organization_id'])
    .execute();
  await db.schema.createIndex('client_organizations_organization').on('client_organizations').columns(['organization_id', 'client_id']).execute();

  await db.schema.alterTable('clients').addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`)).execute();
  // After a phone change the new number logs in with a password only once verified.
  await db.schema.alterTable('clients').addColumn('phone_login_allowed', 'boolean', (c) => c.notNull().defaultTo(true)).execute();
  // Search by name and by phone prefix; sort by name or registration date with a stable tiebreak.
  await db.schema.createIndex('clients_name').on('clients').expression(sql`lower(last_name || ' ' || first_name || ' ' || patronymic), id`).execute();
  await db.schema.createIndex('clients_registered').on('clients').columns(['registered_at', 'id']).execute();
  await db.schema.createIndex('clients_phone_prefix').on('clients').expression(sql`phone text_pattern_ops`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['clients_phone_prefix', 'clients_registered', 'clients_name']) await db.schema.dropIndex(index).execute();
  await db.schema.alterTable('clients').dropColumn('phone_login_allowed').execute();
  await db.schema.alterTable('clients').dropColumn('links').execute();
  await db.schema.dropTable('client_organizations').execute();
}
