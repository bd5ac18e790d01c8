import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// An appointment booked as one occurrence of a weekly series names the
// series (AppointmentBooked.seriesId), and the series is cancelled as a
// whole by finding its occurrences here. No series was booked before this
// column, so existing rows rightly hold null and nothing is rebuilt.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('appointments').addColumn('series_id', 'uuid').execute();
  await db.schema.createIndex('appointments_series').on('appointments').column('series_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('appointments_series').execute();
  await db.schema.alterTable('appointments').dropColumn('series_id').execute();
}
