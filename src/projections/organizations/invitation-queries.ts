import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { StaffInvitationRow } from './tables.js';

// Reads over the `staff_invitations` read model (written by the organizations
// projection). An organization sees its invitations as the emails it typed;
// an invitee sees those sent to their verified email, with the organization's
// name and nothing more of it.

export async function findInvitation(db: Kysely<Database>, invitationId: string): Promise<StaffInvitationRow | undefined> {
  return db.selectFrom('staff_invitations').selectAll().where('id', '=', invitationId).executeTakeFirst();
}

/** An organization's pending invitations, oldest first. */
export async function pendingInvitationsOf(db: Kysely<Database>, organizationId: string): Promise<StaffInvitationRow[]> {
  return db
    .selectFrom('staff_invitations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface ReceivedInvitation {
  readonly invitation: StaffInvitationRow;
  readonly organizationName: string;
}

/** Pending invitations to this (verified, lowercased) email, oldest first. */
export async function pendingInvitationsTo(db: Kysely<Database>, email: string): Promise<ReceivedInvitation[]> {
  const rows = await db
    .selectFrom('staff_invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.organization_id')
    .selectAll('i')
    .select('o.name as organization_name')
    .where('i.email', '=', email)
    .where('i.status', '=', 'pending')
    .orderBy('i.created_at')
    .orderBy('i.id')
    .execute();
  return rows.map(({ organization_name, ...invitation }) => ({ invitation, organizationName: organization_name }));
}
