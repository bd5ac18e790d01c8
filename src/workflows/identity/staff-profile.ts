import { setPassword } from '../../auth/credentials.js';
import { hashPassword } from '../../auth/passwords.js';
import { revokeSubject } from '../../auth/refresh-tokens.js';
import { asEvent } from '../../events/event.js';
import { organizationStream } from '../../events/organizations/organization.js';
import { userStream, type UserChanges, type UserEvent } from '../../events/identity/user.js';
import { membershipsOfUser } from '../../projections/organizations/organization-queries.js';
import { laterPosition, type EventMetadata, type EventStore, type Position } from '../../store/port.js';
import { fold } from '../../commands/decider.js';
import { conflict, DomainError } from '../../commands/errors.js';
import type { Handled } from '../../commands/handler.js';
import type { StaffDeps } from './staff-accounts.js';
import { ownedByOthers, releaseContacts, type Contacts } from './staff-contacts.js';
import { organizationDecider } from '../../commands/organizations/organization.js';
import { userDecider, type UserState } from '../../commands/identity/user.js';

export type ProfileField = keyof UserChanges | 'password';

export interface ChangeProfile {
  readonly userId: string;
  /** Email lowercased, phone in E.164. */
  readonly changes: UserChanges;
  readonly password: string | undefined;
  readonly now: Date;
}

export interface ProfileOutcome {
  /** Fields now holding the requested value (also those that already did). */
  readonly changed: readonly ProfileField[];
  /** Fields left as they were, with the reason. */
  readonly refused: Partial<Record<ProfileField, string>>;
  readonly position: Position | undefined;
}

/**
 * Applies what can be applied and says, per field, what could not: a new
 * email or phone someone else owns is refused (the rest still changes); one
 * merely claimed by another account is taken, unverified. Once the user's
 * stream names the new value, the old one, if the user owned it, is
 * released. A new password ends every session of the user.
 *
 * Re-authentication is the caller's business (src/api/identity/reauthentication.ts):
 * this applies a change already allowed.
 */
export async function changeUserProfile(deps: StaffDeps, command: ChangeProfile, metadata: EventMetadata): Promise<ProfileOutcome> {
  const { userId, password } = command;
  const now = command.now.toISOString();
  const stream = userStream(userId);
  const passwordHash = password === undefined ? undefined : await hashPassword(password);

  const refused = await ownedByOthers(deps, userId, { email: command.changes.email, phone: command.changes.phone });
  const accepted: UserChanges = { ...command.changes };
  for (const field of Object.keys(refused) as (keyof typeof refused)[]) delete accepted[field];

  let position: Position | undefined;
  if (Object.keys(accepted).length > 0) {
    const handled = await deps.handle(userDecider, stream, { type: 'ChangeUserProfile', data: { userId, changes: accepted, now } }, metadata);
    position = handled.position;
    await releaseContacts(deps, userId, await replacedContacts(deps.store, stream, handled), now, metadata);
  }

  if (passwordHash !== undefined) {
    const handled = await deps.handle(userDecider, stream, { type: 'ChangeUserPassword', data: { userId, now } }, metadata);
    await setPassword(deps.db, { id: userId, kind: 'user' }, passwordHash);
    await revokeSubject(deps.db, userId, command.now);
    position = laterPosition(position, handled.position);
  }

  const changed: ProfileField[] = Object.keys(accepted) as (keyof UserChanges)[];
  if (passwordHash !== undefined) changed.push('password');
  return { changed, refused, position };
}

/**
 * The email and phone the change replaced. Read from the stream as it stood
 * right before the appended event (not from an earlier read), so a
 * concurrent change can never make us release a value still in use.
 */
async function replacedContacts(store: EventStore, stream: string, handled: Handled<UserState, UserEvent>): Promise<Contacts> {
  const event = handled.events[0];
  if (event?.type !== 'UserProfileChanged') return {};
  const { email, phone } = event.data.changes;
  if (email === undefined && phone === undefined) return {};
  const before = handled.version - handled.events.length + 1;
  const history = await store.readStream(stream, { limit: before });
  const previous = fold(userDecider, history.map((e) => asEvent<UserEvent>(e)));
  if (previous.status !== 'active') return {};
  return { email: email === undefined ? undefined : previous.email, phone: phone === undefined ? undefined : previous.phone };
}

/**
 * Deletes the account: its sessions end at once, its password is forgotten,
 * the email and phone it owned are free for someone else to verify, and it leaves every
 * organization, so a deleted account holds no role anywhere (a deleted owner
 * must not count as one). The only owner of an organization is refused until
 * someone else is made an owner. A retry after a partial failure finishes
 * the job (deleting twice decides nothing new).
 */
export async function deleteUser(
  deps: StaffDeps,
  command: { userId: string; now: Date },
  metadata: EventMetadata,
): Promise<{ position: Position | undefined; left: Position | undefined }> {
  const { userId } = command;
  const now = command.now.toISOString();
  const memberships = await membershipsOfUser(deps.db, userId);
  // A courtesy check on the read model, for a clear answer before anything changes;
  // the organization's own stream still decides each removal below.
  const soleOwner = memberships.filter((m) => m.role === 'owner' && m.owners <= 1).map((m) => m.name);
  if (soleOwner.length > 0) throw conflict(`You are the only owner of ${soleOwner.join(', ')}: make someone else an owner first.`);
  const handled = await deps.handle(userDecider, userStream(userId), { type: 'DeleteUser', data: { userId, now } }, metadata);
  await revokeSubject(deps.db, userId, command.now);
  // credentials.ts has no delete yet; the row is keyed by the subject, nothing else refers to it.
  await deps.db.deleteFrom('credentials').where('subject_id', '=', userId).execute();
  if (handled.state.status === 'deleted') {
    await releaseContacts(deps, userId, { email: handled.state.email, phone: handled.state.phone }, now, metadata);
  }
  let left: Position | undefined;
  for (const { organizationId } of memberships) {
    try {
      const removed = await deps.handle(organizationDecider, organizationStream(organizationId), { type: 'RemoveMember', data: { organizationId, userId, actor: { userId, platformAdmin: false }, now } }, metadata);
      left = laterPosition(left, removed.position);
    } catch (error) {
      // Already gone; or, in a race with a co-owner leaving meanwhile, the last owner,
      // who then stays listed for a platform admin to replace.
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { position: handled.position, left };
}
