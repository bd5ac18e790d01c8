import type { Kysely } from 'kysely';

// Frozen: never import application code here.
//
// A job kept by the embedded queue remembers the trace it continues (a W3C
// traceparent), so a delayed job resumed after a restart still joins the
// trace of the request that scheduled it. Null when tracing is off.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('traceparent', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('traceparent').execute();
}
