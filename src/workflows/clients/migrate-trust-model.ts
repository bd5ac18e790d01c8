import { clientStream, type ClientEvent, type ClientProfile } from '../../events/clients/client.js';
import { asEvent } from '../../events/event.js';
import { userStream } from '../../events/identity/user.js';
import { clientRecordStream, recordIdFor } from '../../events/clients/client-record.js';
import type { ContactStreams } from '../../events/identity/contact.js';
import { comparePositions, START, WrongExpectedVersion, type EventMetadata, type EventStore, type Position, type StoredEvent } from '../../store/port.js';
import { clientDecider } from '../../commands/clients/client.js';
import { clientRecordDecider } from '../../commands/clients/client-record.js';
import { contactDecider } from '../../commands/identity/contact.js';
import { DomainError } from '../../commands/errors.js';
import type { CommandHandler } from '../../commands/handler.js';
import { fold } from '../../commands/decider.js';

// The one-time move of data written before the trust model into it
// (docs/trust-model.md, "Migrating existing data"). Events already written
// stay as they are; this appends, per legacy client:
//
// - for every organization the client had joined (or booked at), that
//   organization's record of them, with id recordIdFor(org, client) and the
//   profile as the person and THAT organization's staff had written it (what
//   other organizations wrote stays out), linked while the client was still
//   a member, removed where they had left;
// - ownership of the phone they had verified;
// and, per staff user, ownership of the email they had verified. Every step
// is idempotent and a marker stream records that it ran, so it runs once
// however many processes start together.

export const MIGRATION_STREAM = 'migration-trust-model';
const BATCH = 1000;

interface Legacy {
  /** Client id -> organizations joined (or booked at), with whether still a member. */
  readonly clients: Map<string, Map<string, boolean>>;
  /** Clients that verified a phone. */
  readonly verifiedClients: Set<string>;
  /** Staff users that verified an email. */
  readonly verifiedUsers: Set<string>;
  /** Organization -> everyone who was ever a member. */
  readonly members: Map<string, Set<string>>;
}

function collect(legacy: Legacy, event: StoredEvent): void {
  const data = event.data as Record<string, unknown>;
  const organizationsOf = (clientId: string) => legacy.clients.get(clientId) ?? legacy.clients.set(clientId, new Map()).get(clientId)!;
  switch (event.type) {
    case 'ClientJoinedOrganization':
      organizationsOf(String(data.clientId)).set(String(data.organizationId), true);
      return;
    case 'ClientLeftOrganization':
      organizationsOf(String(data.clientId)).set(String(data.organizationId), false);
      return;
    case 'AppointmentBooked': {
      // Before the trust model an appointment named the account (no schema version).
      const slot = data.slot as { clientId?: string } | undefined;
      if (data.schemaVersion === undefined && slot?.clientId) {
        const organizations = organizationsOf(slot.clientId);
        if (!organizations.has(String(data.organizationId))) organizations.set(String(data.organizationId), true);
      }
      return;
    }
    case 'PhoneVerified':
      legacy.verifiedClients.add(String(data.clientId));
      return;
    case 'EmailVerified':
      legacy.verifiedUsers.add(String(data.userId));
      return;
    case 'MemberAdded': {
      const organizationId = String(data.organizationId);
      (legacy.members.get(organizationId) ?? legacy.members.set(organizationId, new Set()).get(organizationId)!).add(String(data.userId));
      return;
    }
    default:
      return;
  }
}

/** The profile as the person and this organization's own staff wrote it. */
function profileFor(events: readonly StoredEvent[], members: ReadonlySet<string>): { phone: string; profile: ClientProfile; openedAt: string } | undefined {
  let result: { phone: string; profile: ClientProfile; openedAt: string } | undefined;
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    const { kind, id } = event.metadata.actor;
    const theirs = kind === 'anonymous' || kind === 'client' || kind === 'system' || (id !== undefined && members.has(id));
    if (event.type === 'ClientRegistered') {
      const profile = { links: {}, ...(data.profile as Partial<ClientProfile>) } as ClientProfile;
      const written = theirs ? profile : { ...profile, address: '', additionalInfo: '', links: {} };
      result = { phone: String(data.phone), profile: written, openedAt: String(data.registeredAt) };
    } else if (result && event.type === 'ClientPhoneChanged') {
      result = { ...result, phone: String(data.phone) };
    } else if (result && event.type === 'ClientProfileChanged' && theirs) {
      result = { ...result, profile: { ...result.profile, ...(data.changes as Partial<ClientProfile>) } };
    }
  }
  return result;
}

async function ignoringRaces(step: Promise<unknown>): Promise<void> {
  try {
    await step;
  } catch (error) {
    // Another process migrating at the same moment, or a person who verified meanwhile.
    if (!(error instanceof WrongExpectedVersion) && !(error instanceof DomainError)) throw error;
  }
}

export interface MigrationProgress {
  readonly phase: 'scan' | 'write';
  readonly done: number;
  readonly total?: number;
}

/** Runs the migration unless it ran already; returns whether it ran. */
export async function migrateToTrustModel(
  // `log` is the log as written: legacy events (memberships, bookings that named
  // an account) are looked for as such, not as the store reads them today.
  deps: { log: EventStore; store: EventStore; handle: CommandHandler; contacts: ContactStreams; now: () => Date },
  onProgress: (progress: MigrationProgress) => void = () => undefined,
): Promise<boolean> {
  const { store, handle, contacts } = deps;
  if ((await store.readStream(MIGRATION_STREAM, { limit: 1 })).length > 0) return false;
  const head = await deps.log.headPosition();
  const legacy: Legacy = { clients: new Map(), verifiedClients: new Set(), verifiedUsers: new Set(), members: new Map() };
  let from: Position = START;
  let scanned = 0;
  while (comparePositions(from, head) < 0) {
    const batch = await deps.log.readAll({ from, limit: BATCH });
    if (batch.length === 0) break;
    for (const event of batch) collect(legacy, event);
    from = batch.at(-1)!.position;
    scanned += batch.length;
    onProgress({ phase: 'scan', done: scanned });
  }

  const now = deps.now().toISOString();
  const metadata: EventMetadata = { actor: { kind: 'system', id: 'migration' }, correlationId: MIGRATION_STREAM, causationId: MIGRATION_STREAM };
  const clients = new Set([...legacy.clients.keys(), ...legacy.verifiedClients]);
  let written = 0;
  for (const clientId of clients) {
    const events = await store.readStream(clientStream(clientId));
    const account = fold(clientDecider, events.map((e) => asEvent<ClientEvent>(e)));
    if (account.status === 'registered' && account.confirmedPhone) {
      await ignoringRaces(handle(contactDecider, contacts.phone(account.phone), { type: 'OwnContact', data: { contact: account.phone, ownerId: clientId, now } }, metadata));
    }
    for (const [organizationId, member] of legacy.clients.get(clientId) ?? []) {
      const written = profileFor(events, legacy.members.get(organizationId) ?? new Set());
      if (!written) continue;
      const recordId = recordIdFor(organizationId, clientId);
      const stream = clientRecordStream(recordId);
      await ignoringRaces(handle(clientRecordDecider, stream, { type: 'OpenRecord', data: { recordId, organizationId, phone: written.phone, profile: written.profile, openedBy: 'migration', now: written.openedAt } }, metadata));
      if (member) await ignoringRaces(handle(clientRecordDecider, stream, { type: 'LinkAccount', data: { clientId, via: 'migration', shared: [], now } }, metadata));
      else await ignoringRaces(handle(clientRecordDecider, stream, { type: 'RemoveRecord', data: { now } }, metadata));
    }
    onProgress({ phase: 'write', done: ++written, total: clients.size + legacy.verifiedUsers.size });
  }
  for (const userId of legacy.verifiedUsers) {
    await ignoringRaces(ownVerifiedEmail(deps, userId, now, metadata));
    onProgress({ phase: 'write', done: ++written, total: clients.size + legacy.verifiedUsers.size });
  }
  await ignoringRaces(store.append(MIGRATION_STREAM, [{ type: 'TrustModelMigrated', data: { scanned, clients: clients.size, staff: legacy.verifiedUsers.size, migratedAt: now }, metadata }], { expectedVersion: 'no_stream' }));
  return true;
}

/** A staff user whose current email was verified before ownership existed now owns it. */
async function ownVerifiedEmail(
  { store, handle, contacts }: { store: EventStore; handle: CommandHandler; contacts: ContactStreams },
  userId: string,
  now: string,
  metadata: EventMetadata,
): Promise<void> {
  let email: string | undefined;
  let verified = false;
  for (const event of await store.readStream(userStream(userId))) {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'UserRegistered') email = String(data.email);
    else if (event.type === 'UserProfileChanged' && typeof (data.changes as Record<string, unknown>).email === 'string') {
      email = String((data.changes as Record<string, unknown>).email);
      verified = false;
    } else if (event.type === 'EmailVerified' && data.email === email) verified = true;
    else if (event.type === 'UserDeleted') return;
  }
  if (email && verified) await handle(contactDecider, contacts.staffEmail(email), { type: 'OwnContact', data: { contact: email, ownerId: userId, now } }, metadata);
}

