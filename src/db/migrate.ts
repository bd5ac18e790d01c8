import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as eventStore from './migrations/2026-11-23-01-event-store.js';
import * as identityAndClients from './migrations/2026-11-23-02-identity-and-clients.js';
import * as oneTimeCodes from './migrations/2026-11-23-03-one-time-codes.js';
import * as staffAndOrganizations from './migrations/2026-11-23-04-staff-and-organizations.js';
import * as clientBook from './migrations/2026-11-23-05-client-book.js';
import * as scheduling from './migrations/2026-11-23-06-scheduling.js';
import * as trustModel from './migrations/2026-11-29-01-trust-model.js';
import * as staffInvitations from './migrations/2026-11-29-02-staff-invitations.js';
import * as appointmentTerms from './migrations/2026-11-29-03-appointment-terms.js';
import * as parkedEvents from './migrations/2026-11-29-04-parked-events.js';
import * as jobs from './migrations/2026-11-29-05-jobs.js';
import * as quotas from './migrations/2026-11-29-06-quotas.js';

// Listed here rather than read from disk so the compiled build and the tests
// run the same set whatever the working directory.
const migrations: Record<string, Migration> = {
  '2026-11-23-01-event-store': eventStore,
  '2026-11-23-02-identity-and-clients': identityAndClients,
  '2026-11-23-03-one-time-codes': oneTimeCodes,
  '2026-11-23-04-staff-and-organizations': staffAndOrganizations,
  '2026-11-23-05-client-book': clientBook,
  '2026-11-23-06-scheduling': scheduling,
  '2026-11-29-01-trust-model': trustModel,
  '2026-11-29-02-staff-invitations': staffInvitations,
  '2026-11-29-03-appointment-terms': appointmentTerms,
  '2026-11-29-04-parked-events': parkedEvents,
  '2026-11-29-05-jobs': jobs,
  '2026-11-29-06-quotas': quotas,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
