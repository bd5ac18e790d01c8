import type { FastifyRequest } from 'fastify';
import type { Role } from '../../events/organizations/organization.js';
import { findOrganizationAccess, membershipsOfUser } from '../../projections/organizations/organization-queries.js';
import { decideOrganizationAccess, type OrganizationGrant } from '../access.js';
import { principalOf } from '../authenticate.js';
import type { Dependencies } from '../dependencies.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Why a seed's request was not let into an organization: it named none (and
 * the caller is not in exactly one where the profile allows choosing it for
 * them), it named one the caller holds no such role in, or one the caller
 * cannot see (not a member, malformed, or none such: the same, so ids of
 * other organizations leak nothing).
 */
export type OrganizationRefusal = 'missing' | 'forbidden' | 'not_found';

export type OrganizationResolution = { readonly grant: OrganizationGrant } | { readonly refused: OrganizationRefusal };

/**
 * The organization of a seed's staff request whose path has none (seed 000
 * names it in the body's `organization` list, seed 002 nowhere): decided by
 * the one organization access rule of src/api/access.ts, from current
 * memberships. With `implicit`, a request that names none acts in the
 * caller's only organization where they hold one of the roles (a member
 * holding none of them anywhere: forbidden). Call it
 * behind an `authenticated` STAFF declaration.
 */
export async function resolveOrganization(
  deps: Pick<Dependencies, 'db'>,
  request: FastifyRequest,
  named: string | undefined,
  roles: readonly Role[],
  options: { readonly implicit?: boolean } = {},
): Promise<OrganizationResolution> {
  const userId = principalOf(request).id;
  if (named === undefined) {
    if (!options.implicit) return { refused: 'missing' };
    const memberships = await membershipsOfUser(deps.db, userId);
    const eligible = memberships.filter((m) => roles.includes(m.role));
    // A member who holds the right nowhere is refused as the seed refuses a manager; one who could mean several, or none, names it.
    if (eligible.length === 0 && memberships.length > 0) return { refused: 'forbidden' };
    if (eligible.length !== 1) return { refused: 'missing' };
    return { grant: { organizationId: eligible[0]!.organizationId, role: eligible[0]!.role, platformAdmin: false } };
  }
  if (!UUID.test(named)) return { refused: 'not_found' };
  const organizationId = named.toLowerCase();
  const found = await findOrganizationAccess(deps.db, organizationId, userId);
  const verdict = decideOrganizationAccess(found, roles);
  if (verdict !== 'granted') return { refused: verdict };
  return { grant: { organizationId, role: found.role, platformAdmin: found.platformAdmin } };
}
