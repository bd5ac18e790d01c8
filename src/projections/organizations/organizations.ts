import type { Transaction, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { OrganizationsTable } from './tables.js';
import { asEvent } from '../../events/event.js';
import { organizationEventTypes, type OrganizationChanges, type OrganizationEvent } from '../../events/organizations/organization.js';
import type { Projection } from '../projection.js';

// Read models `organizations`, `memberships` and `staff_invitations`, from
// one stream category: one projection keeps them consistent with each other
// (the access check reads the first two; accepting an invitation changes the
// last two at once). Queries are in organization-queries.ts.

function columnsOf(changes: OrganizationChanges): Updateable<OrganizationsTable> {
  const { name, description, address, numbers, links } = changes;
  return {
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    ...(address === undefined ? {} : { address }),
    ...(numbers === undefined ? {} : { numbers: JSON.stringify(numbers) }),
    ...(links === undefined ? {} : { links: JSON.stringify(links) }),
  };
}

async function applyOne(trx: Transaction<Database>, event: OrganizationEvent): Promise<void> {
  switch (event.type) {
    case 'OrganizationCreated': {
      const { organizationId, name, description, address, numbers, links, creatorId, createdAt } = event.data;
      await trx
        .insertInto('organizations')
        .values({
          id: organizationId,
          name,
          description,
          address,
          numbers: JSON.stringify(numbers),
          links: JSON.stringify(links),
          creator_id: creatorId,
          created_at: createdAt,
          updated_at: createdAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'OrganizationUpdated': {
      const { organizationId, changes, updatedAt } = event.data;
      await trx.updateTable('organizations').set({ ...columnsOf(changes), updated_at: updatedAt }).where('id', '=', organizationId).execute();
      return;
    }
    case 'MemberAdded': {
      const { organizationId, userId, role, addedAt } = event.data;
      await trx
        .insertInto('memberships')
        .values({ organization_id: organizationId, user_id: userId, role, added_at: addedAt })
        // Keeps the work contact an InvitationAccepted just before it wrote.
        .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ role, added_at: addedAt }))
        .execute();
      return;
    }
    case 'MemberInvited': {
      const { organizationId, invitationId, email, role, invitedBy, invitedAt } = event.data;
      await trx
        .insertInto('staff_invitations')
        .values({ id: invitationId, organization_id: organizationId, email, role, status: 'pending', invited_by: invitedBy, created_at: invitedAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'InvitationAccepted': {
      const { invitationId, organizationId, userId, workContact, acceptedAt } = event.data;
      await trx.updateTable('staff_invitations').set({ status: 'accepted', answered_at: acceptedAt }).where('id', '=', invitationId).execute();
      // The MemberAdded that follows in the same append sets the role; the
      // membership row starts here so it carries the work contact from the first moment.
      await trx
        .insertInto('memberships')
        .values((eb) => ({
          organization_id: organizationId,
          user_id: userId,
          role: eb.selectFrom('staff_invitations').select('role').where('id', '=', invitationId),
          added_at: acceptedAt,
          work_email: workContact.email,
          work_phone: workContact.phone,
        }))
        .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ work_email: workContact.email, work_phone: workContact.phone }))
        .execute();
      return;
    }
    case 'InvitationDeclined':
      await trx.updateTable('staff_invitations').set({ status: 'declined', answered_at: event.data.declinedAt }).where('id', '=', event.data.invitationId).execute();
      return;
    case 'InvitationRevoked':
      await trx.updateTable('staff_invitations').set({ status: 'revoked', answered_at: event.data.revokedAt }).where('id', '=', event.data.invitationId).execute();
      return;
    case 'MemberRoleChanged': {
      const { organizationId, userId, role } = event.data;
      await trx.updateTable('memberships').set({ role }).where('organization_id', '=', organizationId).where('user_id', '=', userId).execute();
      return;
    }
    case 'MemberRemoved': {
      const { organizationId, userId } = event.data;
      await trx.deleteFrom('memberships').where('organization_id', '=', organizationId).where('user_id', '=', userId).execute();
      return;
    }
    default:
      return;
  }
}

export const organizationsProjection: Projection = {
  name: 'organizations',
  parkUnappliable: true,
  canHandle: organizationEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, asEvent<OrganizationEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('staff_invitations').execute();
    await trx.deleteFrom('memberships').execute();
    await trx.deleteFrom('organizations').execute();
  },
};
