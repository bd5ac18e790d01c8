import type { Transaction, Updateable } from 'kysely';
import type { Database, OrganizationsTable } from '../db/database.js';
import { toDomainEvent } from '../events/catalogue.js';
import { organizationEventTypes, type OrganizationChanges, type OrganizationEvent } from '../events/organization.js';
import type { Projection } from './projection.js';

// Read models `organizations` and `memberships`, from one stream category:
// one projection keeps them consistent with each other (the access check
// reads both). Queries are in organization-queries.ts.

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
        .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ role, added_at: addedAt }))
        .execute();
      return;
    }
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
  canHandle: organizationEventTypes,
  async apply(trx, events) {
    for (const stored of events) await applyOne(trx, toDomainEvent<OrganizationEvent>(stored));
  },
  async reset(trx) {
    await trx.deleteFrom('memberships').execute();
    await trx.deleteFrom('organizations').execute();
  },
};
