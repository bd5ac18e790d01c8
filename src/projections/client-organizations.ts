import type { Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { ClientRow, Database } from '../db/database.js';
import type { Role } from '../events/organization.js';

// Queries over `client_organizations` (written by the clients projection):
// which organizations a client belongs to, and what a staff user may see of them.

/** The roles a staff user holds in organizations this client belongs to. */
export async function staffRolesForClient(db: Kysely<Database>, clientId: string, userId: string): Promise<{ organizationId: string; role: Role }[]> {
  const rows = await db
    .selectFrom('client_organizations as co')
    .innerJoin('memberships as m', 'm.organization_id', 'co.organization_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['co.organization_id', 'm.role'])
    .where('co.client_id', '=', clientId)
    .where('m.user_id', '=', userId)
    .where('u.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({ organizationId: r.organization_id, role: r.role }));
}

export async function clientOrganizationIds(db: Kysely<Database>, clientId: string): Promise<string[]> {
  const rows = await db.selectFrom('client_organizations').select('organization_id').where('client_id', '=', clientId).orderBy('joined_at').execute();
  return rows.map((r) => r.organization_id);
}

export async function isClientOf(db: Kysely<Database>, clientId: string, organizationId: string): Promise<boolean> {
  const row = await db.selectFrom('client_organizations').select('client_id').where('client_id', '=', clientId).where('organization_id', '=', organizationId).executeTakeFirst();
  return row !== undefined;
}

/** One client with its organizations (oldest membership first), in one round trip. */
export async function findClientWithOrganizations(db: Kysely<Database>, clientId: string): Promise<{ client: ClientRow; organizations: { id: string; name: string }[] } | undefined> {
  const row = await db
    .selectFrom('clients')
    .selectAll('clients')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('client_organizations as co')
          .innerJoin('organizations as o', 'o.id', 'co.organization_id')
          .select(['o.id', 'o.name'])
          .whereRef('co.client_id', '=', 'clients.id')
          .orderBy('co.joined_at'),
      ).as('organizations'),
    )
    .where('clients.id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { organizations, ...client } = row;
  return { client, organizations };
}

/** Each client's organizations (id and name), oldest membership first. */
export async function organizationsOfClients(db: Kysely<Database>, clientIds: readonly string[]): Promise<Map<string, { id: string; name: string }[]>> {
  const result = new Map<string, { id: string; name: string }[]>(clientIds.map((id) => [id, []]));
  if (clientIds.length === 0) return result;
  const rows = await db
    .selectFrom('client_organizations as co')
    .innerJoin('organizations as o', 'o.id', 'co.organization_id')
    .select(['co.client_id', 'o.id', 'o.name'])
    .where('co.client_id', 'in', clientIds)
    .orderBy('co.joined_at')
    .execute();
  for (const row of rows) result.get(row.client_id)?.push({ id: row.id, name: row.name });
  return result;
}
