import type { FastifyRequest } from 'fastify';
import { DomainError } from '../commands/errors.js';
import type { Role } from '../events/organization.js';
import { staffRolesForClient } from '../projections/client-organizations.js';
import { findClient } from '../projections/clients.js';
import { isPlatformAdmin, organizationIdsOfMember } from '../projections/organization-queries.js';
import { principalOf } from './authenticate.js';
import { FORBIDDEN } from './errors.js';
import type { Services } from './services.js';

/**
 * Who may act on one client record, in one place: the client on their own
 * record; staff of an organization the client belongs to, by role; a
 * platform admin. Anyone else gets 404, so client ids leak nothing.
 */
export type ClientAction = 'read' | 'write' | 'history';

const STAFF_ROLES: Record<ClientAction, readonly Role[]> = {
  read: ['owner', 'admin', 'manager', 'specialist', 'auditor'],
  write: ['owner', 'admin', 'manager'],
  history: ['owner', 'admin', 'auditor'],
};

/** What the caller may see of the client's organizations: all (self, platform admin) or these. */
export type ClientViewer = { readonly kind: 'self' | 'platform_admin' } | { readonly kind: 'staff'; readonly organizationIds: readonly string[] };

const notFound = () => new DomainError('not_found', 'Not found.');

export async function authorizeClient(services: Services, request: FastifyRequest, clientId: string, action: ClientAction): Promise<ClientViewer> {
  const principal = principalOf(request);
  if (principal.kind === 'client') {
    if (principal.id !== clientId) throw notFound();
    return { kind: 'self' };
  }
  const { db } = services;
  if (!(await findClient(db, clientId))) throw notFound();
  if (await isPlatformAdmin(db, principal.id)) return { kind: 'platform_admin' };
  const roles = await staffRolesForClient(db, clientId, principal.id);
  if (roles.length === 0) throw notFound();
  const allowed = roles.filter((r) => STAFF_ROLES[action].includes(r.role));
  if (allowed.length === 0) throw new DomainError('forbidden', FORBIDDEN);
  return { kind: 'staff', organizationIds: [...new Set(roles.map((r) => r.organizationId))] };
}

/** Hides organizations the viewer is not staff of. */
export function visibleOrganizations(viewer: ClientViewer, organizationIds: readonly string[]): string[] {
  return viewer.kind === 'staff' ? organizationIds.filter((id) => viewer.organizationIds.includes(id)) : [...organizationIds];
}

/** What a staff user sees of any client's organizations: those they are a member of (all, for a platform admin). */
export async function staffViewer(services: Services, userId: string, platformAdmin: boolean): Promise<ClientViewer> {
  if (platformAdmin) return { kind: 'platform_admin' };
  return { kind: 'staff', organizationIds: await organizationIdsOfMember(services.db, userId) };
}
