import type { Kysely } from 'kysely';
import { setPassword } from '../auth/credentials.js';
import { hashPassword } from '../auth/passwords.js';
import type { Database } from '../db/database.js';
import { userStream, type UserProfile } from '../events/user.js';
import type { EventMetadata, Position } from '../store/port.js';
import type { CommandHandler } from './handler.js';
import { contactsTaken, latest, releaseContacts, reserveContacts } from './staff-contacts.js';
import { userDecider } from './user.js';

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
  readonly db: Kysely<Database>;
}

/**
 * Reserves the email (and the phone, when given) in their own streams, then
 * records the user; a taken value is a 409 naming every taken field, and
 * whatever this call had reserved is given back. The password hash goes to
 * the credentials table, never the log.
 */
export async function registerUser(deps: StaffDeps, command: RegisterUser, metadata: EventMetadata): Promise<{ userId: string; position: Position | undefined }> {
  const { userId, email, phone, profile } = command;
  const now = command.now.toISOString();
  // Hash first: it is the slow part, and a failure here must leave no trace.
  const passwordHash = await hashPassword(command.password);
  const { reserved, refused } = await reserveContacts(deps.handle, userId, { email, phone }, now, metadata);
  if (Object.keys(refused).length > 0) {
    await releaseContacts(deps.handle, userId, reserved, now, metadata);
    throw contactsTaken(refused);
  }
  let registered;
  try {
    registered = await deps.handle(
      userDecider,
      userStream(userId),
      { type: 'RegisterUser', data: { userId, email, phone, profile, passwordSet: true, now } },
      metadata,
    );
  } catch (error) {
    await releaseContacts(deps.handle, userId, reserved, now, metadata).catch(() => undefined);
    throw error;
  }
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
  return { userId: command.userId, position: latest(registered.position, granted.position) };
}
