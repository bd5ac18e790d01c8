import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, Migrator, type Kysely } from 'kysely';
import type { Database } from './database.js';

// Every file of src/db/migrations (compiled beside this one), in the order of
// their dated names: a capability adds its tables with a new dated file and
// no list to edit. Found from this module's own place, so the build and the
// tests run the same set whatever the working directory.
const provider = new FileMigrationProvider({ fs, path, migrationFolder: fileURLToPath(new URL('./migrations', import.meta.url)) });

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
