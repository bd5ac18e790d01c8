import type { Kysely } from 'kysely';
import { setPassword } from '../../auth/credentials.js';
import { hashPassword } from '../../auth/passwords.js';
import type { Database } from '../../db/database.js';
import { clientStream, type ClientProfile } from '../../events/clients/client.js';
import type { ContactStreams } from '../../events/identity/contact.js';
import type { EventMetadata, EventStore, Position } from '../../store/port.js';
import { clientDecider } from '../../commands/clients/client.js';
import { contactTaken, isTakenFrom } from '../../commands/identity/contact.js';
import { contactOwner, proveContact } from '../identity/contact-ownership.js';
import type { CommandHandler } from '../../commands/handler.js';

export interface ClientBookDeps {
  readonly handle: CommandHandler;
  readonly db: Kysely<Database>;
  readonly store: EventStore;
  /** Names the phone's ownership stream by its pseudonym. */
  readonly contacts: ContactStreams;
}

export const PHONE_TAKEN = 'A client with this phone number already exists.';
const phoneTaken = () => contactTaken('phone', PHONE_TAKEN);

export interface RegisterClient {
  readonly clientId: string;
  /** Names the phone verification code the worker will send; null sends none. */
  readonly challengeId: string | null;
  /** E.164. */
  readonly phone: string;
  readonly password: string | undefined;
  readonly profile: ClientProfile;
  readonly now: Date;
  /** Runs once the phone is known to be free to register, before anything is recorded (the code-sending cap). */
  readonly beforeRecording?: () => Promise<void>;
}

/** The account that owns (has verified) a phone. */
export const phoneOwner = (deps: Pick<ClientBookDeps, 'store' | 'contacts'>, phone: string): Promise<string | undefined> =>
  contactOwner(deps.store, deps.contacts.phone(phone));

/**
 * A new account. A phone somebody has verified is taken (409); a phone that
 * others merely named stops nobody: whoever verifies it owns it
 * (verifyClientPhone). The password hash goes to the credentials table,
 * never the log.
 */
export async function registerClient(deps: ClientBookDeps, command: RegisterClient, metadata: EventMetadata): Promise<{ clientId: string; position: Position | undefined }> {
  const { password, ...account } = command;
  // Hash first: it is the slow part, and a failure here must leave no trace.
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  return registerAccount(deps, { ...account, passwordHash }, metadata);
}

/** registerClient with the password already hashed. */
export async function registerAccount(
  deps: ClientBookDeps,
  command: Omit<RegisterClient, 'password'> & { passwordHash: string | undefined },
  metadata: EventMetadata,
): Promise<{ clientId: string; position: Position | undefined }> {
  const { clientId, challengeId, phone, passwordHash, profile } = command;
  const now = command.now.toISOString();
  if (isTakenFrom(await phoneOwner(deps, phone), undefined)) throw phoneTaken();
  await command.beforeRecording?.();
  const registered = await deps.handle(
    clientDecider,
    clientStream(clientId),
    { type: 'RegisterClient', data: { clientId, phone, profile, passwordSet: passwordHash !== undefined, challengeId, now } },
    metadata,
  );
  if (passwordHash !== undefined) await setPassword(deps.db, { id: clientId, kind: 'client' }, passwordHash);
  return { clientId, position: registered.position };
}

/** A code sent to `phone` came back for this account: it owns the number from now on (proveContact). */
export async function verifyClientPhone(deps: Pick<ClientBookDeps, 'handle' | 'store' | 'contacts'>, command: { clientId: string; phone: string; now: Date }, metadata: EventMetadata): Promise<Position | undefined> {
  const { clientId, phone } = command;
  const now = command.now.toISOString();
  return proveContact(
    deps,
    { stream: deps.contacts.phone(phone), contact: phone, ownerId: clientId, now },
    () => contactTaken('phone', 'This phone number was verified by another account.'),
    { decider: clientDecider, stream: clientStream(clientId), command: { type: 'VerifyPhone', data: { phone, now } } },
    metadata,
  );
}
