import type { Kysely } from 'kysely';
import { setPassword } from '../auth/credentials.js';
import { hashPassword } from '../auth/passwords.js';
import type { Database } from '../db/database.js';
import { clientStream, type ClientProfile } from '../events/client.js';
import { phoneStream } from '../events/phone.js';
import type { EventMetadata, EventStore, Position } from '../store/port.js';
import { clientDecider } from './client.js';
import { fold } from './decider.js';
import { DomainError } from './errors.js';
import type { CommandHandler } from './handler.js';
import { phoneDecider } from './phone.js';

export interface ClientBookDeps {
  readonly handle: CommandHandler;
  readonly db: Kysely<Database>;
  readonly store: EventStore;
}

export interface RegisterClient {
  readonly clientId: string;
  /** Names the phone verification code the worker will send; null sends none. */
  readonly challengeId: string | null;
  /** The organization whose staff add the client, if any. */
  readonly organizationId: string | null;
  /** E.164. */
  readonly phone: string;
  readonly password: string | undefined;
  readonly profile: ClientProfile;
  readonly now: Date;
}

/**
 * Reserves the phone (its own stream, appended with `no_stream`: of two
 * registrations racing for one number exactly one wins), then records the
 * client. The password hash goes to the credentials table, never the log.
 */
export async function registerClient(deps: Pick<ClientBookDeps, 'handle' | 'db'>, command: RegisterClient, metadata: EventMetadata): Promise<{ clientId: string; position: Position | undefined }> {
  const { clientId, challengeId, organizationId, phone, password, profile } = command;
  const now = command.now.toISOString();
  // Hash first: it is the slow part, and a failure here must leave no trace.
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  await deps.handle(phoneDecider, phoneStream(phone), { type: 'ReservePhone', data: { phone, clientId, now } }, metadata);
  const registered = await deps.handle(
    clientDecider,
    clientStream(clientId),
    { type: 'RegisterClient', data: { clientId, phone, profile, passwordSet: passwordHash !== undefined, challengeId, organizationId, now } },
    metadata,
  );
  if (passwordHash !== undefined) await setPassword(deps.db, { id: clientId, kind: 'client' }, passwordHash);
  return { clientId, position: registered.position };
}

/** The client holding a phone now, from its reservation stream (the source of truth). */
export async function phoneHolder(store: EventStore, phone: string): Promise<string | undefined> {
  const events = await store.readStream(phoneStream(phone));
  const state = fold(phoneDecider, events.map((e) => ({ type: e.type, data: e.data }) as Parameters<typeof phoneDecider.evolve>[1]));
  return state.status === 'reserved' ? state.clientId : undefined;
}

/**
 * Staff add a client to their organization. A phone that already belongs to
 * a client means the same person: they join this organization too (one
 * person, one history), their profile is not overwritten, and nothing of
 * their other organizations is shown to this one.
 */
export async function addClientToOrganization(
  deps: ClientBookDeps,
  command: Omit<RegisterClient, 'challengeId'> & { organizationId: string },
  metadata: EventMetadata,
): Promise<{ clientId: string; created: boolean; position: Position | undefined }> {
  try {
    const { clientId, position } = await registerClient(deps, { ...command, challengeId: null }, metadata);
    return { clientId, created: true, position };
  } catch (error) {
    if (!(error instanceof DomainError) || error.kind !== 'conflict') throw error;
    const holder = await phoneHolder(deps.store, command.phone);
    if (!holder) throw error;
    const joined = await deps.handle(clientDecider, clientStream(holder), { type: 'JoinOrganization', data: { organizationId: command.organizationId, now: command.now.toISOString() } }, metadata);
    return { clientId: holder, created: false, position: joined.position };
  }
}
