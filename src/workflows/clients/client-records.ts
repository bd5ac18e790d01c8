import type { ClientProfile } from '../../events/clients/client.js';
import { clientRecordStream } from '../../events/clients/client-record.js';
import { laterPosition, type EventMetadata, type Position } from '../../store/port.js';
import { clientRecordDecider } from '../../commands/clients/client-record.js';
import { hashPassword } from '../../auth/passwords.js';
import { phoneOwner, registerAccount, type ClientBookDeps } from './register-client.js';

export interface AddClientRecord {
  readonly recordId: string;
  readonly organizationId: string;
  /** E.164: the organization's contact number for the client. */
  readonly phone: string;
  readonly profile: ClientProfile;
  /** Seed 000: staff may give a new account its first password. */
  readonly password: string | undefined;
  /** The id of that account, if one is made. */
  readonly accountId: string;
  readonly now: Date;
}

/**
 * Staff add a client: always a new record of this organization, and the same
 * answer whether or not a person registered the phone, so nothing tells the
 * organization. With a password (seed 000), and only when no account names
 * the phone, an account is made with it; it still verifies its phone before
 * a password login, and it is not linked: the person links it, or not.
 *
 * "No account names the phone" is read from the accounts read model: it
 * decides nothing a race could break, since an unverified account gives no
 * right and a second one for the same number harms nobody.
 */
export async function addClientRecord(deps: ClientBookDeps, command: AddClientRecord, metadata: EventMetadata): Promise<Position | undefined> {
  const { recordId, organizationId, phone, profile, password, accountId, now } = command;
  // Hashed whether or not it will be used: the time of the answer tells nothing either.
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  const opened = await deps.handle(
    clientRecordDecider,
    clientRecordStream(recordId),
    { type: 'OpenRecord', data: { recordId, organizationId, phone, profile, openedBy: 'staff', now: now.toISOString() } },
    metadata,
  );
  if (passwordHash === undefined || (await accountNames(deps, phone))) return opened.position;
  const { firstName, lastName, patronymic } = profile;
  const account = await registerAccount(
    deps,
    { clientId: accountId, challengeId: null, phone, passwordHash, profile: { firstName, lastName, patronymic, email: null, birthday: null, sex: null, address: '', additionalInfo: '', links: {} }, now },
    metadata,
  );
  return laterPosition(opened.position, account.position);
}

async function accountNames(deps: ClientBookDeps, phone: string): Promise<boolean> {
  if ((await phoneOwner(deps, phone)) !== undefined) return true;
  const row = await deps.db.selectFrom('client_accounts').select('id').where('phone', '=', phone).limit(1).executeTakeFirst();
  return row !== undefined;
}
