import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OrganizationRow } from './tables.js';
import type { Role, WorkContact } from '../../events/organizations/organization.js';

// Reads over the `organizations`, `memberships` and `users` read models.
// What an organization sees of its staff is their name and the work contact
// they chose: the login email, phone and home address are never selected here.

/** A staff user as colleagues know them. */
export interface StaffName {
  readonly id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly patronymic: string;
}

export interface OrganizationView {
  readonly organization: OrganizationRow;
  /** Undefined only while the users read model has not caught up with the creator. */
  readonly creator: StaffName | undefined;
}

export interface MemberView {
  readonly user: StaffName;
  readonly role: Role;
  readonly addedAt: Date;
  readonly workContact: WorkContact;
}

const NAME_COLUMNS = ['users.id', 'users.first_name', 'users.last_name', 'users.patronymic'] as const;

async function withCreators(db: Kysely<Database>, organizations: readonly OrganizationRow[]): Promise<OrganizationView[]> {
  const ids = [...new Set(organizations.map((o) => o.creator_id))];
  const creators = ids.length === 0 ? [] : await db.selectFrom('users').select(NAME_COLUMNS).where('id', 'in', ids).execute();
  const byId = new Map(creators.map((u) => [u.id, u]));
  return organizations.map((organization) => ({ organization, creator: byId.get(organization.creator_id) }));
}

export async function findOrganization(db: Kysely<Database>, organizationId: string): Promise<OrganizationView | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirst();
  return row ? (await withCreators(db, [row]))[0] : undefined;
}

/** Every organization (a platform admin's view), or those the user is a member of. */
export async function listOrganizations(db: Kysely<Database>, scope: { readonly memberId: string } | 'all'): Promise<OrganizationView[]> {
  let query = db.selectFrom('organizations').selectAll('organizations');
  if (scope !== 'all') {
    query = query
      .innerJoin('memberships', 'memberships.organization_id', 'organizations.id')
      .where('memberships.user_id', '=', scope.memberId);
  }
  const rows = await query.orderBy('organizations.created_at').orderBy('organizations.id').execute();
  return withCreators(db, rows);
}

export interface OrganizationAccess {
  readonly organizationExists: boolean;
  /** The user's current role there; undefined for a non-member. */
  readonly role: Role | undefined;
  readonly platformAdmin: boolean;
}

/** What the access check needs, in one round trip. A deleted user holds no role and no admin right. */
export async function findOrganizationAccess(db: Kysely<Database>, organizationId: string, userId: string): Promise<OrganizationAccess> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.exists(eb.selectFrom('organizations').select('id').where('id', '=', organizationId)).as('organization_exists'),
      eb
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select('memberships.role')
        .where('memberships.organization_id', '=', organizationId)
        .where('memberships.user_id', '=', userId)
        .where('users.deleted_at', 'is', null)
        .as('role'),
      eb.exists(eb.selectFrom('users').select('id').where('id', '=', userId).where('platform_admin', '=', true).where('deleted_at', 'is', null)).as('platform_admin'),
    ])
    .executeTakeFirstOrThrow();
  return { organizationExists: Boolean(row.organization_exists), role: row.role ?? undefined, platformAdmin: Boolean(row.platform_admin) };
}

export async function isPlatformAdmin(db: Kysely<Database>, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('id', '=', userId).where('platform_admin', '=', true).where('deleted_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/** Members with their names and work contacts, oldest first; deleted accounts are left out (they cannot act). */
export async function listMembers(db: Kysely<Database>, organizationId: string, filter: { readonly role?: Role; readonly userId?: string } = {}): Promise<MemberView[]> {
  let query = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(NAME_COLUMNS)
    .select(['memberships.role', 'memberships.added_at', 'memberships.work_email', 'memberships.work_phone'])
    .where('memberships.organization_id', '=', organizationId)
    .where('users.deleted_at', 'is', null);
  if (filter.role) query = query.where('memberships.role', '=', filter.role);
  if (filter.userId) query = query.where('memberships.user_id', '=', filter.userId);
  const rows = await query.orderBy('memberships.added_at').orderBy('memberships.user_id').execute();
  return rows.map(({ role, added_at, work_email, work_phone, ...user }) => ({ user, role, addedAt: new Date(added_at), workContact: { email: work_email, phone: work_phone } }));
}

export async function organizationIdsOfMember(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('memberships').select('organization_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.organization_id);
}

/** The organizations a user belongs to, with their role and how many owners each has. */
export async function membershipsOfUser(db: Kysely<Database>, userId: string): Promise<{ organizationId: string; name: string; role: Role; owners: number }[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .select(['m.organization_id', 'o.name', 'm.role'])
    .select((eb) =>
      eb
        .selectFrom('memberships as owners')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('owners.organization_id', '=', 'm.organization_id')
        .where('owners.role', '=', 'owner')
        .as('owners'),
    )
    .where('m.user_id', '=', userId)
    .orderBy('m.added_at')
    .execute();
  return rows.map((r) => ({ organizationId: r.organization_id, name: r.name, role: r.role, owners: Number(r.owners ?? 0) }));
}

export async function findMember(db: Kysely<Database>, organizationId: string, userId: string): Promise<MemberView | undefined> {
  return (await listMembers(db, organizationId, { userId }))[0];
}
