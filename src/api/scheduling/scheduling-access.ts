import type { FastifyRequest } from 'fastify';
import { isFamilyActive } from '../../auth/refresh-tokens.js';
import type { AccessKind } from '../../auth/tokens.js';
import { DomainError } from '../../commands/errors.js';
import { ROLES, type Role } from '../../events/organizations/organization.js';
import { findOrganizationAccess } from '../../projections/organizations/organization-queries.js';
import { decideOrganizationAccess, type OrganizationGrant } from '../access.js';
import { principalOf } from '../authenticate.js';
import { FORBIDDEN } from '../errors.js';
import type { Dependencies } from '../dependencies.js';

// Routes keyed by a place, a specialist or an appointment (not by
// /organizations/{org}) declare `authenticated` access; the handler looks up
// the resource's organization and applies decideOrganizationAccess, the rule
// the access hook applies to organization routes. A client token is never
// staff: not found.

export const EVERYONE: readonly AccessKind[] = ['client', 'user', 'admin'];

const notFound = () => new DomainError('not_found', 'Not found.');

export async function authorizeInOrganization(
  deps: Dependencies,
  request: FastifyRequest,
  organizationId: string | undefined,
  roles: readonly Role[]
): Promise<OrganizationGrant> {
  const principal = principalOf(request);
  if (!organizationId || principal.kind === 'client') throw notFound();
  const found = await findOrganizationAccess(deps.db, organizationId, principal.id);
  const verdict = decideOrganizationAccess(found, roles);
  if (verdict === 'not_found') throw notFound();
  if (verdict === 'forbidden') throw new DomainError('forbidden', FORBIDDEN);
  return { organizationId, role: found.role, platformAdmin: found.platformAdmin };
}

/**
 * On a public route: is the caller (if they sent a token at all) staff of
 * this organization? Staff see a specialist's phone and account; the public
 * does not. A bad or revoked token is simply the public.
 */
export async function isStaffViewer(deps: Dependencies, request: FastifyRequest, organizationId: string): Promise<boolean> {
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(request.headers.authorization ?? '');
  if (!match) return false;
  try {
    const claims = await deps.tokens.verifyAccess(match[1]!);
    if (claims.kind === 'client' || !(await isFamilyActive(deps.db, claims.sid))) return false;
    const found = await findOrganizationAccess(deps.db, organizationId, claims.sub);
    // Staff is whoever the organization access rule admits in any role.
    return decideOrganizationAccess(found, ROLES) === 'granted';
  } catch {
    return false;
  }
}
