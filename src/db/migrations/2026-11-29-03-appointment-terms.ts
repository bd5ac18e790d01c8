import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// Prices come from the organization (docs/trust-model.md): a client booking
// for themself sets no cost, and staff may leave it unset, so an
// appointment's cost may be empty (both columns null). Appointments now name
// the organization's client record (legacy events are read that way), so the
// read model is rebuilt from position zero.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('appointments')
    .alterColumn('cost_amount', (c) => c.dropNotNull())
    .alterColumn('cost_currency', (c) => c.dropNotNull())
    .execute();
  await db.deleteFrom('projection_checkpoints').where('name', '=', 'appointments').execute();
  await db.deleteFrom('appointments').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // An empty cost has no value to go back to: the read model is rebuilt instead.
  await db.deleteFrom('projection_checkpoints').where('name', '=', 'appointments').execute();
  await db.deleteFrom('appointments').execute();
  await db.schema
    .alterTable('appointments')
    .alterColumn('cost_amount', (c) => c.setNotNull())
    .alterColumn('cost_currency', (c) => c.setNotNull())
    .execute();
}
