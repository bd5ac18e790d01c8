import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../commands/errors.js';
import type { ClientRecordRow } from '../../projections/clients/tables.js';
import type { Role } from '../../events/organizations/organization.js';
import { findClientAccount } from '../../projections/clients/client-accounts.js';
import { findClientRecord } from '../../projections/clients/client-records.js';
import { findOrganizationAccess, isPlatformAdmin } from '../../projections/organizations/organization-queries.js';
import { principalOf } from '../authenticate.js';
import { FORBIDDEN } from '../errors.js';
import type { Dependencies } from '../dependencies.js';

/**
 * What `/clients/{id}` names, and who may act on it, in one place
 * (docs/trust-model.md):
 *
 * - a person's ACCOUNT: only the person (and a platform admin, who must give
 *   a reason for a change);
 * - an organization's RECORD: staff of that organization, by role; a
 *   platform admin.
 *
 * Anyone else gets 404, so ids leak nothing: staff never reach an account,
 * a client never reaches a record (they see theirs through their links), and
 * other organizations' records do not exist for them.
 */
export type ClientAction = 'read' | 'write' | 'history';

const STAFF_ROLES: Record<ClientAction, readonly Role[]> = {
  read: ['owner', 'admin', 'manager', 'specialist', 'auditor'],
  write: ['owner', 'admin', 'manager'],
  history: ['owner', 'admin', 'auditor'],
};

export type ClientTarget =
  | { readonly kind: 'account'; readonly accountId: string; readonly by: 'self' | 'platform_admin' }
  | { readonly kind: 'record'; readonly record: ClientRecordRow; readonly by: 'staff' | 'platform_admin' };

const notFound = () => new DomainError('not_found', 'Not found.');

export async function clientTarget(deps: Dependencies, request: FastifyRequest, id: string, action: ClientAction): Promise<ClientTarget> {
  const principal = principalOf(request);
  if (principal.kind === 'client') {
    if (principal.id !== id) throw notFound();
    return { kind: 'account', accountId: id, by: 'self' };
  }
  const { db } = deps;
  if (await isPlatformAdmin(db, principal.id)) {
    if (await findClientAccount(db, id)) return { kind: 'account', accountId: id, by: 'platform_admin' };
    const record = await findClientRecord(db, id);
    if (record && record.removed_at === null) return { kind: 'record', record, by: 'platform_admin' };
    throw notFound();
  }
  const record = await findClientRecord(db, id);
  if (!record || record.removed_at !== null) throw notFound();
  return { kind: 'record', record, by: await staffOfRecord(deps, principal.id, record, action) };
}

/** A member of the record's organization with a role for the action; others 404 (not a member) or 403. */
async function staffOfRecord(deps: Dependencies, userId: string, record: ClientRecordRow, action: ClientAction): Promise<'staff'> {
  const access = await findOrganizationAccess(deps.db, record.organization_id, userId);
  if (!access.role) throw notFound();
  if (!STAFF_ROLES[action].includes(access.role)) throw new DomainError('forbidden', FORBIDDEN);
  return 'staff';
}
