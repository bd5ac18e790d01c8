import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../../commands/errors.js';
import type { Role } from '../../../events/organizations/organization.js';
import type { OrganizationGrant } from '../../access.js';
import { FORBIDDEN } from '../../errors.js';
import type { Dependencies } from '../../dependencies.js';
import { resolveOrganization } from '../organization.js';

/** The field seed 002's staff requests may name their clinic in (query or body); the seed itself has one clinic and names none. */
export const ORGANIZATION_FIELD = 'organization';

function namedOrganization(request: FastifyRequest): string | undefined {
  for (const source of [request.query, request.body]) {
    if (source !== null && typeof source === 'object') {
      const named = (source as Record<string, unknown>)[ORGANIZATION_FIELD];
      if (typeof named === 'string') return named;
    }
  }
  return undefined;
}

/**
 * The clinic a staff request of seed 002 acts in, for every route of the
 * profile (one rule, shared by all its modules): the one named by
 * `?organization=` or the body's `organization`, else the caller's only
 * organization where they hold one of `roles`. Refusals are worded as DRF
 * would: none to choose -> 400 naming `organization`; named, or a member
 * anywhere, but without the role -> 403; not theirs or none such -> 404. Call it behind an
 * `authenticated` STAFF declaration.
 */
export async function organizationOf(deps: Pick<Dependencies, 'db'>, request: FastifyRequest, roles: readonly Role[]): Promise<OrganizationGrant> {
  const resolution = await resolveOrganization(deps, request, namedOrganization(request), roles, { implicit: true });
  if ('grant' in resolution) return resolution.grant;
  switch (resolution.refused) {
    case 'missing':
      throw new DomainError('invalid', 'Invalid input.', { [ORGANIZATION_FIELD]: ['This field is required.'] });
    case 'forbidden':
      throw new DomainError('forbidden', FORBIDDEN);
    case 'not_found':
      throw new DomainError('not_found', 'Not found.');
  }
}
