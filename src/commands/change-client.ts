import { setPassword } from '../auth/credentials.js';
import { hashPassword } from '../auth/passwords.js';
import { revokeSubject } from '../auth/refresh-tokens.js';
import { clientStream, type ClientProfile } from '../events/client.js';
import { phoneStream } from '../events/phone.js';
import { comparePositions, type EventMetadata, type Position } from '../store/port.js';
import { clientDecider } from './client.js';
import { phoneDecider, phoneTaken } from './phone.js';
import type { ClientBookDeps } from './register-client.js';
import { DomainError } from './errors.js';

export interface ChangeClient {
  readonly clientId: string;
  readonly profile?: Partial<ClientProfile>;
  /** E.164. A new phone is reserved, then verified again by SMS. */
  readonly phone?: string;
  readonly password?: string;
  /** For the verification code of a new phone. */
  readonly challengeId: string;
  readonly now: Date;
}

const later = (a: Position | undefined, b: Position | undefined) => (!a ? b : !b ? a : comparePositions(a, b) >= 0 ? a : b);

/**
 * One change of a client record (PUT, PATCH and the one-purpose PATCHes).
 * The phone goes first since it may be taken (409 changes nothing else); a
 * new password ends every session of the client.
 */
export async function changeClient(deps: ClientBookDeps, change: ChangeClient, metadata: EventMetadata): Promise<Position | undefined> {
  const { clientId, now } = change;
  const at = now.toISOString();
  const stream = clientStream(clientId);
  let position: Position | undefined;
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);

  if (change.phone !== undefined) {
    const phone = change.phone;
    try {
      await deps.handle(phoneDecider, phoneStream(phone), { type: 'ReservePhone', data: { phone, clientId, now: at } }, metadata);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'conflict') throw new DomainError('conflict', phoneTaken().message, { phone: [phoneTaken().message] });
      throw error;
    }
    const changed = await deps.handle(clientDecider, stream, { type: 'ChangePhone', data: { phone, challengeId: change.challengeId, now: at } }, metadata);
    const previous = changed.events.find((e) => e.type === 'ClientPhoneChanged');
    if (previous?.type === 'ClientPhoneChanged') {
      await deps.handle(phoneDecider, phoneStream(previous.data.previousPhone), { type: 'ReleasePhone', data: { phone: previous.data.previousPhone, clientId, now: at } }, metadata);
    }
    position = later(position, changed.position);
  }
  if (change.profile && Object.keys(change.profile).length > 0) {
    const changed = await deps.handle(clientDecider, stream, { type: 'ChangeProfile', data: { changes: change.profile, now: at } }, metadata);
    position = later(position, changed.position);
  }
  if (passwordHash !== undefined) {
    await setPassword(deps.db, { id: clientId, kind: 'client' }, passwordHash);
    const changed = await deps.handle(clientDecider, stream, { type: 'ChangePassword', data: { now: at } }, metadata);
    await revokeSubject(deps.db, clientId, now);
    position = later(position, changed.position);
  }
  return position;
}
