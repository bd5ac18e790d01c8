import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../commands/errors.js';
import { ROLES, type Role } from '../../events/organizations/organization.js';
import { findOrganizationAccess } from '../../projections/organizations/organization-queries.js';
import { decideOrganizationAccess } from '../access.js';
import { principalOf } from '../authenticate.js';
import type { Dependencies } from '../dependencies.js';
import { FORBIDDEN } from '../errors.js';

// Who manages a specialist's calendar feeds (docs/booking.md, "Calendar feeds"):
// - `organization`: an owner or admin of the specialist's organization (or a
//   platform admin): every feed of the specialist, any client_details;
// - `self`: the specialist themself, that is the staff user the specialist
//   is linked to (`user_id`) while they still hold a role in the
//   organization: their own calendar, client names excepted.
// Anyone else: 404 when they are not of the organization (as for any of its
// resources), 403 when they are a member without the right.

export const FEED_EDITORS: readonly Role[] = ['owner', 'admin'];

export type FeedAuthority = 'organization' | 'self';

export async function feedAuthority(deps: Dependencies, request: FastifyRequest, organizationId: string | undefined, specialistUserId: string | null | undefined): Promise<FeedAuthority> {
  const principal = principalOf(request);
  if (!organizationId || principal.kind === 'client') throw new DomainError('not_found', 'Not found.');
  const found = await findOrganizationAccess(deps.db, organizationId, principal.id);
  const verdict = decideOrganizationAccess(found, FEED_EDITORS);
  if (verdict === 'granted') return 'organization';
  if (specialistUserId === principal.id && decideOrganizationAccess(found, ROLES) === 'granted') return 'self';
  throw verdict === 'not_found' ? new DomainError('not_found', 'Not found.') : new DomainError('forbidden', FORBIDDEN);
}
