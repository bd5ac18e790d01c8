import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// An appointment booked by a service of the catalogue names it, and one
// booked as part of a weekly series names the series (both null otherwise):
// a series is cancelled as a whole by its id. Appointments booked before
// name neither, so the columns start empty and no rebuild is needed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('appointments')
    .addColumn('service_id', 'uuid')
    .addColumn('series_id', 'uuid')
    .execute();
  await db.schema.createIndex('appointments_series').on('appointments').column('series_id').where('series_id', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('appointments_series').execute();
  await db.schema.alterTable('appointments').dropColumn('service_id').dropColumn('series_id').execute();
}
