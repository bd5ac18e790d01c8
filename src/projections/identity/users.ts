import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { UserRow, UsersTable } from './tables.js';
import { asEvent } from '../../events/event.js';
import { userEventTypes, type UserChanges, type UserEvent } from '../../events/identity/user.js';
import type { Projection } from '../projection.js';

// Read model `users`: one row per staff user, as the user sees their profile
// and as organizations list their staff. A deleted user keeps their row
// (with deleted_at) so old organizations still name their creator.

function columnsOf(changes: UserChanges): Updateable<UsersTable> {
  const columns: Updateable<UsersTable> = {};
  if (changes.firstName !== undefined) columns.first_name = changes.firstName;
  if (changes.lastName !== undefined) columns.last_name = changes.lastName;
  if (changes.patronymic !== undefined) columns.patronymic = changes.patronymic;
  if (changes.address !== undefined) columns.address = changes.address;
  // A new address is not confirmed, whatever the old one was.
  if (changes.email !== undefined) Object.assign(columns, { email: changes.email, confirmed_email: false });
  if (changes.phone !== undefined) Object.assign(columns, { phone: changes.phone, confirmed_phone: false });
  return columns;
}

async function applyOne(trx: Transaction<Database>, event: UserEvent): Promise<void> {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, phone, profile, registeredAt } = event.data;
      await trx
        .insertInto('users')
        .values({
          id: userId,
          email,
          phone,
          first_name: profile.firstName,
          last_name: profile.lastName,
          patronymic: profile.patronymic,
          address: profile.address,
          created_at: registeredAt,
          updated_at: registeredAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'UserProfileChanged': {
      const { userId, changes, changedAt } = event.data;
      await trx.updateTable('users').set({ ...columnsOf(changes), updated_at: changedAt }).where('id', '=', userId).execute();
      return;
    }
    case 'UserPasswordChanged':
      await trx.updateTable('users').set({ updated_at: event.data.changedAt }).where('id', '=', event.data.userId).execute();
      return;
    case 'UserDeleted':
      await trx.updateTable('users').set({ deleted_at: event.data.deletedAt, updated_at: event.data.deletedAt }).where('id', '=', event.data.userId).execute();
      return;
    case 'PlatformAdminGranted':
      await trx.updateTable('users').set({ platform_admin: true, updated_at: event.data.grantedAt }).where('id', '=', event.data.userId).execute();
      return;
    case 'EmailVerified':
      await trx
        .updateTable('users')
        .set({ confirmed_email: true, updated_at: event.data.verifiedAt })
        .where('id', '=', event.data.userId)
        .where('email', '=', event.data.email)
        .execute();
      return;
    case 'StaffPhoneVerified':
      await trx
        .updateTable('users')
        .set({ confirmed_phone: true, updated_at: event.data.verifiedAt })
        .where('id', '=', event.data.userId)
        .where('phone', '=', event.data.phone)
        .execute();
      return;
    default:
      return;
  }
}

export const usersProjection: Projection = {
  name: 'users',
  parkUnappliable: true,
  canHandle: userEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<UserEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('users').execute();
  },
};

/** The staff user, deleted or not: callers decide what a deleted account means to them. */
export function findUser(db: Kysely<Database>, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
}

/** How many accounts that merely name an unverified login are tried, at most. */
export const MAX_UNVERIFIED_LOGIN_CANDIDATES = 3;

/**
 * Whose password a staff login by this email or phone is checked against
 * (docs/trust-model.md). The active user who VERIFIED the value, alone; else,
 * since staff may log in right after registering, the active users who name
 * it unverified, oldest first, at most three. An unverified value is only a
 * claim, so several accounts may name it; each is tried with its own password.
 */
export async function staffLoginCandidates(db: Kysely<Database>, login: { readonly email: string } | { readonly phone: string }): Promise<string[]> {
  const [column, confirmed, value] = 'email' in login ? (['email', 'confirmed_email', login.email.trim().toLowerCase()] as const) : (['phone', 'confirmed_phone', login.phone] as const);
  const rows = await db
    .selectFrom('users')
    .select(['id', confirmed])
    .where(column, '=', value)
    .where('deleted_at', 'is', null)
    // The owner first, then the oldest claims.
    .orderBy(confirmed, 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_UNVERIFIED_LOGIN_CANDIDATES)
    .execute();
  const owner = rows.find((row) => row[confirmed]);
  return owner ? [owner.id] : rows.map((row) => row.id);
}
