import type { Kysely } from 'kysely';
import { setPassword } from '../../auth/credentials.js';
import { hashPassword } from '../../auth/passwords.js';
import type { Database } from '../../db/database.js';
import { userStream, type UserProfile } from '../../events/identity/user.js';
import { laterPosition, type EventMetadata, type EventStore, type Position } from '../../store/port.js';
import type { CommandHandler } from '../../commands/handler.js';
import type { ContactStreams } from '../../events/identity/contact.js';
import { contactsTaken, ownedByOthers } from './staff-contacts.js';
import { userDecider } from '../../commands/identity/user.js';

export interface RegisterUser {
  readonly userId: string;
  /** Lowercased. */
  readonly email: string;
  /** E.164, or null. */
  readonly phone: string | null;
  readonly password: string;
  readonly profile: UserProfile;
  readonly now: Date;
}

export interface StaffDeps {
  readonly handle: CommandHandler;
  readonly store: EventStore;
  readonly db: Kysely<Database>;
  readonly contacts: ContactStreams;
}

/**
 * Records the user with the email (and phone) they typed, as claims: only a
 * value someone else OWNS (verified) is refused, a 409 naming every such
 * field. An unverified value claimed by another account stops nobody; whoever
 * verifies it first owns it. The password hash goes to the credentials
 * table, never the log.
 */
export async function registerUser(deps: StaffDeps, command: RegisterUser, metadata: EventMetadata): Promise<{ userId: string; position: Position | undefined }> {
  const { userId, email, phone, profile } = command;
  const now = command.now.toISOString();
  const refused = await ownedByOthers(deps, undefined, { email, phone });
  if (Object.keys(refused).length > 0) throw contactsTaken(refused);
  // Hashed before anything is written: a failure here must leave no trace.
  const passwordHash = await hashPassword(command.password);
  const registered = await deps.handle(
    userDecider,
    userStream(userId),
    { type: 'RegisterUser', data: { userId, email, phone, profile, passwordSet: true, now } },
    metadata,
  );
  await setPassword(deps.db, { id: userId, kind: 'user' }, passwordHash);
  return { userId, position: registered.position };
}

/** The command line's `admin create`: a staff user who passes every organization check. */
export async function createPlatformAdmin(deps: StaffDeps, command: RegisterUser, metadata: EventMetadata): Promise<{ userId: string; position: Position | undefined }> {
  const registered = await registerUser(deps, command, metadata);
  const granted = await deps.handle(
    userDecider,
    userStream(command.userId),
    { type: 'GrantPlatformAdmin', data: { userId: command.userId, now: command.now.toISOString() } },
    metadata,
  );
  return { userId: command.userId, position: laterPosition(registered.position, granted.position) };
}
