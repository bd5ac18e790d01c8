import { setPassword } from '../../auth/credentials.js';
import { hashPassword } from '../../auth/passwords.js';
import { revokeSubject } from '../../auth/refresh-tokens.js';
import { clientStream, type ClientProfile } from '../../events/clients/client.js';
import { laterPosition, type EventMetadata, type Position } from '../../store/port.js';
import { clientDecider } from '../../commands/clients/client.js';
import { contactDecider, contactTaken, isTakenFrom } from '../../commands/identity/contact.js';
import { phoneOwner, type ClientBookDeps } from './register-client.js';

export interface ChangeClient {
  readonly clientId: string;
  readonly profile?: Partial<ClientProfile>;
  /** E.164. A new login phone must be verified (and so owned) again. */
  readonly phone?: string;
  readonly password?: string;
  /** For the verification code of a new phone. */
  readonly challengeId: string;
  /** Claims the sending of that code (the caps of src/auth/send-limits.ts); throws 429 when capped, before anything is recorded. */
  readonly claimSend: (phone: string) => Promise<void>;
  readonly now: Date;
}

/**
 * One change of a person's own account (PUT, PATCH and the one-purpose
 * PATCHes); the route has checked who asks and, for the phone and the
 * password, that they re-authenticated. The phone goes first since it may
 * be taken (409 changes nothing else); the old number stops being theirs;
 * a new password ends every session.
 */
export async function changeClient(deps: ClientBookDeps, change: ChangeClient, metadata: EventMetadata): Promise<Position | undefined> {
  const { clientId, now } = change;
  const at = now.toISOString();
  const stream = clientStream(clientId);
  let position: Position | undefined;
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);

  if (change.phone !== undefined) {
    const phone = change.phone;
    const owner = await phoneOwner(deps, phone);
    if (isTakenFrom(owner, clientId)) throw contactTaken('phone');
    await change.claimSend(phone);
    const changed = await deps.handle(clientDecider, stream, { type: 'ChangePhone', data: { phone, challengeId: change.challengeId, now: at } }, metadata);
    const moved = changed.events.find((e) => e.type === 'ClientPhoneChanged');
    if (moved?.type === 'ClientPhoneChanged') {
      const previous = moved.data.previousPhone;
      await deps.handle(contactDecider, deps.contacts.phone(previous), { type: 'ReleaseContact', data: { contact: previous, ownerId: clientId, now: at } }, metadata);
    }
    position = laterPosition(position, changed.position);
  }
  if (change.profile && Object.keys(change.profile).length > 0) {
    const changed = await deps.handle(clientDecider, stream, { type: 'ChangeProfile', data: { changes: change.profile, now: at } }, metadata);
    position = laterPosition(position, changed.position);
  }
  if (passwordHash !== undefined) {
    await setPassword(deps.db, { id: clientId, kind: 'client' }, passwordHash);
    const changed = await deps.handle(clientDecider, stream, { type: 'ChangePassword', data: { now: at } }, metadata);
    await revokeSubject(deps.db, clientId, now);
    position = laterPosition(position, changed.position);
  }
  return position;
}
