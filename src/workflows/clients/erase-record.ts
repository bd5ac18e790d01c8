import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { clientStream } from '../../events/clients/client.js';
import { clientRecordStream, type ClientRecordEvent } from '../../events/clients/client-record.js';
import { asEvent } from '../../events/event.js';
import { appointmentStream } from '../../events/scheduling/appointment.js';
import { appointmentIdsOfRecord } from '../../projections/scheduling/appointment-queries.js';
import { laterPosition, type EventMetadata, type Position } from '../../store/port.js';
import type { CatalogedEventStore } from '../../store/cataloged.js';
import { clientDecider } from '../../commands/clients/client.js';
import { clientRecordDecider } from '../../commands/clients/client-record.js';
import { DomainError } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { unlinkRecord } from './client-links.js';
import type { ClientBookDeps } from './register-client.js';

// Erasure of an organization's record of a client (docs/privacy.md,
// "Erasure"): ClientRecordErased decides it, then the record's key is
// destroyed, so what the record noted reads "[erased]" everywhere. Every
// step is idempotent: a retry after a crash, or the loser of a race,
// finishes the same job and appends nothing twice.

/** Erasure destroys keys and tells clear-text events from sealed ones: it needs the cataloged store itself. */
export interface ErasureDeps extends ClientBookDeps {
  readonly store: CatalogedEventStore;
}

const notFound = () => new DomainError('not_found', 'Not found.');

/**
 * The destroyed key may still sit in the table's dead tuples until a vacuum,
 * and in backups until they expire (docs/privacy.md): vacuum now, at best
 * effort; autovacuum does it anyway when this fails.
 */
export async function vacuumKeys(db: Kysely<Database>): Promise<void> {
  await sql`vacuum personal_keys`.execute(db).catch(() => undefined);
}

/**
 * How many events of the erased streams (and of the appointments of erased
 * records) hold personal data in clear: written before events were
 * encrypted (no `keyOwner`), so destroying keys does not forget them
 * (docs/privacy.md). `contacts` are login-contact streams, every event of
 * which names the number.
 */
export async function eventsInClear(deps: Pick<ErasureDeps, 'store' | 'db'>, streams: readonly string[], records: readonly string[], contacts: readonly string[] = []): Promise<number> {
  const appointments = (await Promise.all(records.map((id) => appointmentIdsOfRecord(deps.db, id)))).flat().map(appointmentStream);
  let count = 0;
  for (const stream of [...streams, ...records.map(clientRecordStream), ...appointments]) {
    for (const event of await deps.store.readStream(stream)) if (!event.metadata.keyOwner && deps.store.catalogue.personalOf(event.type)) count++;
  }
  for (const stream of contacts) for (const event of await deps.store.readStream(stream)) if (!event.metadata.keyOwner) count++;
  return count;
}

/** The record's own step, in both erasures: ClientRecordErased (nothing new when it is already there). A record never opened is skipped. */
export async function closeRecord(deps: ErasureDeps, recordId: string, by: 'client' | 'organization', now: string, metadata: EventMetadata): Promise<Position | undefined> {
  const stream = clientRecordStream(recordId);
  const { state } = await loadState(deps.store, clientRecordDecider, stream);
  if (state.status === 'none') return undefined;
  return (await deps.handle(clientRecordDecider, stream, { type: 'EraseRecord', data: { by, now } }, metadata)).position;
}

/**
 * Every account the record was ever linked to lets go of it, if it still
 * holds it: a crash between the record's unlink and the account's, or a
 * link made while the erasure ran, leaves no account linked to an erased
 * record. An account erased meanwhile has nothing to let go.
 */
async function releaseAccounts(deps: ErasureDeps, recordId: string, now: string, metadata: EventMetadata): Promise<Position | undefined> {
  const events = (await deps.store.readStream(clientRecordStream(recordId))).map((e) => asEvent<ClientRecordEvent>(e));
  const accounts = new Set(events.flatMap((e) => (e.type === 'ClientRecordLinked' || e.type === 'ClientRecordUnlinked' ? [e.data.clientId] : [])));
  const organizationId = events[0]?.data.organizationId;
  if (organizationId === undefined) return undefined;
  let position: Position | undefined;
  for (const clientId of accounts) {
    try {
      const unlinked = await deps.handle(clientDecider, clientStream(clientId), { type: 'UnlinkRecord', data: { recordId, organizationId, now } }, metadata);
      position = laterPosition(position, unlinked.position);
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'not_found')) throw error;
    }
  }
  return position;
}

/**
 * An organization erases its record of a client: unlinked from the person's
 * account first (recorded on both streams, as an unlink by the organization
 * is), then erased and its key destroyed. The person's account and other
 * organizations' records are untouched. A removed record may be erased too
 * (the log still holds it); an erased one again is a retry.
 */
export async function eraseRecord(
  deps: ErasureDeps,
  command: { recordId: string; organizationId: string; now: Date },
  metadata: EventMetadata,
): Promise<{ position: Position | undefined; eventsInClear: number }> {
  const { recordId, organizationId } = command;
  const now = command.now.toISOString();
  const { state } = await loadState(deps.store, clientRecordDecider, clientRecordStream(recordId));
  if (state.status === 'none' || state.organizationId !== organizationId) throw notFound();
  let position: Position | undefined;
  if (state.status === 'open' && state.clientId !== null) position = await unlinkRecord(deps, { recordId, by: 'organization', clientId: null, now: command.now }, metadata);
  position = laterPosition(position, await closeRecord(deps, recordId, 'organization', now, metadata));
  position = laterPosition(position, await releaseAccounts(deps, recordId, now, metadata));
  await deps.store.keys.erase([recordId], command.now);
  await vacuumKeys(deps.db);
  return { position, eventsInClear: await eventsInClear(deps, [], [recordId]) };
}
