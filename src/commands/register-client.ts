import type { Kysely } from 'kysely';
import { setPassword } from '../auth/credentials.js';
import { hashPassword } from '../auth/passwords.js';
import type { Database } from '../db/database.js';
import { clientStream, type ClientProfile } from '../events/client.js';
import { phoneStream } from '../events/phone.js';
import type { EventMetadata, Position } from '../store/port.js';
import { clientDecider } from './client.js';
import type { CommandHandler } from './handler.js';
import { phoneDecider } from './phone.js';

export interface RegisterClient {
  readonly clientId: string;
  /** Names the phone verification code the worker will send. */
  readonly challengeId: string;
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
export async function registerClient(
  deps: { handle: CommandHandler; db: Kysely<Database> },
  command: RegisterClient,
  metadata: EventMetadata,
): Promise<{ clientId: string; position: Position | undefined }> {
  const { clientId, challengeId, phone, password, profile } = command;
  const now = command.now.toISOString();
  // Hash first: it is the slow part, and a failure here must leave no trace.
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  await deps.handle(phoneDecider, phoneStream(phone), { type: 'ReservePhone', data: { phone, clientId, now } }, metadata);
  const registered = await deps.handle(
    clientDecider,
    clientStream(clientId),
    { type: 'RegisterClient', data: { clientId, phone, profile, passwordSet: passwordHash !== undefined, challengeId, now } },
    metadata,
  );
  if (passwordHash !== undefined) await setPassword(deps.db, { id: clientId, kind: 'client' }, passwordHash);
  return { clientId, position: registered.position };
}
