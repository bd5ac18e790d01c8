import t from 'tap';
import { organizationDecider, type Actor, type Invitee, type OrganizationCommand } from '../../../src/commands/organizations/organization.js';
import type { OrganizationChanges, OrganizationDetails, OrganizationEvent, Role, WorkContact } from '../../../src/events/organizations/organization.js';
import { specification } from '../spec.js';

// Every command of an organization's stream (`organization-{id}`), given/when/then.

const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const owner = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const admin = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const invitedUser = '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e01';
const stranger = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60';
const invitationId = '3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a10';
const otherInvitationId = '4a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c20';
const email = 'olga@example.com';
const t0 = '2026-11-23T10:00:00.000Z';
const t1 = '2026-11-23T10:01:00.000Z';
const t2 = '2026-11-23T10:02:00.000Z';
const details: OrganizationDetails = { name: 'Clinic', description: 'Family clinic', address: 'Moscow', numbers: { main: '+74951234567' }, links: {} };
const workContact: WorkContact = { email: 'olga@clinic.example.com', phone: null };

const asOwner: Actor = { userId: owner, platformAdmin: false };
const asAdmin: Actor = { userId: admin, platformAdmin: false };
const asPlatformAdmin: Actor = { userId: stranger, platformAdmin: true };
const invitee = (verifiedEmail: string | null = email, userId = invitedUser): Invitee => ({ userId, verifiedEmail });

const created = (): OrganizationEvent[] => [
  { type: 'OrganizationCreated', data: { organizationId, ...details, creatorId: owner, createdAt: t0 } },
  { type: 'MemberAdded', data: { organizationId, userId: owner, role: 'owner', addedAt: t0 } },
];
const memberAdded = (userId: string, role: Role, at = t0): OrganizationEvent => ({ type: 'MemberAdded', data: { organizationId, userId, role, addedAt: at } });
const invited = (role: Role = 'manager', id = invitationId, to = email, by = owner, at = t1): OrganizationEvent => ({
  type: 'MemberInvited',
  data: { organizationId, invitationId: id, email: to, role, invitedBy: by, invitedAt: at },
});
const revoked = (): OrganizationEvent => ({ type: 'InvitationRevoked', data: { organizationId, invitationId, revokedBy: owner, revokedAt: t1 } });
const accepted = (at = t1): OrganizationEvent => ({ type: 'InvitationAccepted', data: { organizationId, invitationId, userId: invitedUser, workContact, acceptedAt: at } });
/** The owner and an admin. */
const staffed = (): OrganizationEvent[] => [...created(), memberAdded(admin, 'admin')];

const create = (withDetails: OrganizationDetails = details): OrganizationCommand => ({ type: 'CreateOrganization', data: { organizationId, details: withDetails, creatorId: owner, now: t0 } });
const update = (changes: OrganizationChanges): OrganizationCommand => ({ type: 'UpdateOrganization', data: { organizationId, changes, now: t2 } });
const invite = (role: Role, actor: Actor, id = invitationId, to = email): OrganizationCommand => ({ type: 'InviteMember', data: { organizationId, invitationId: id, email: to, role, actor, now: t2 } });
const revoke = (actor: Actor): OrganizationCommand => ({ type: 'RevokeInvitation', data: { organizationId, invitationId, actor, now: t2 } });
const accept = (who: Invitee = invitee(), contact: WorkContact = workContact): OrganizationCommand => ({
  type: 'AcceptInvitation',
  data: { organizationId, invitationId, invitee: who, workContact: contact, now: t2 },
});
const decline = (who: Invitee = invitee()): OrganizationCommand => ({ type: 'DeclineInvitation', data: { organizationId, invitationId, invitee: who, now: t2 } });
const changeRole = (userId: string, role: Role, actor: Actor): OrganizationCommand => ({ type: 'ChangeMemberRole', data: { organizationId, userId, role, actor, now: t2 } });
const removeMember = (userId: string, actor: Actor): OrganizationCommand => ({ type: 'RemoveMember', data: { organizationId, userId, actor, now: t2 } });

const roleChanged = (userId: string, role: Role): OrganizationEvent => ({ type: 'MemberRoleChanged', data: { organizationId, userId, role, changedAt: t2 } });
const memberRemoved = (userId: string): OrganizationEvent => ({ type: 'MemberRemoved', data: { organizationId, userId, removedAt: t2 } });

t.test('CreateOrganization', async (t) => {
  t.test('the organization is created with its creator as owner, in one decision', async (t) => {
    specification(t)(organizationDecider, []).when(create()).then(created());
  });
  t.test('only the details the event names are recorded', async (t) => {
    specification(t)(organizationDecider, []).when(create({ ...details, plan: 'gold' } as OrganizationDetails)).then(created());
  });
  t.test('an existing organization cannot be created again: conflict', async (t) => {
    specification(t)(organizationDecider, created()).when(create()).thenThrows('conflict');
  });
});

t.test('UpdateOrganization', async (t) => {
  t.test('only the details that differ are recorded, numbers compared by value', async (t) => {
    specification(t)(organizationDecider, created())
      .when(update({ name: 'Clinic', address: 'Saint Petersburg', numbers: { main: '+74951234567' }, links: { vk: 'vk.com/clinic' } }))
      .then([{ type: 'OrganizationUpdated', data: { organizationId, changes: { address: 'Saint Petersburg', links: { vk: 'vk.com/clinic' } }, updatedAt: t2 } }]);
  });
  t.test('a change to nothing new is no event', async (t) => {
    specification(t)(organizationDecider, created()).when(update({ name: 'Clinic', numbers: { main: '+74951234567' } })).then([]);
  });
  t.test('an unknown organization cannot be updated: not_found', async (t) => {
    specification(t)(organizationDecider, []).when(update({ name: 'Other' })).thenThrows('not_found');
  });
});

t.test('InviteMember', async (t) => {
  t.test('an admin invites someone by email to a role other than owner', async (t) => {
    specification(t)(organizationDecider, staffed()).when(invite('manager', asAdmin)).then([invited('manager', invitationId, email, admin, t2)]);
  });
  t.test('an owner invites an owner', async (t) => {
    specification(t)(organizationDecider, staffed()).when(invite('owner', asOwner)).then([invited('owner', invitationId, email, owner, t2)]);
  });
  t.test('a platform admin counts as an owner', async (t) => {
    specification(t)(organizationDecider, staffed()).when(invite('owner', asPlatformAdmin)).then([invited('owner', invitationId, email, stranger, t2)]);
  });
  t.test('only an owner invites an owner: forbidden', async (t) => {
    specification(t)(organizationDecider, staffed()).when(invite('owner', asAdmin)).thenThrows('forbidden');
  });
  t.test('an invitation id is used once: conflict', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(invite('manager', asAdmin, invitationId, 'other@example.com')).thenThrows('conflict');
  });
  t.test('one pending invitation per email: conflict', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(invite('auditor', asAdmin, otherInvitationId)).thenThrows('conflict');
  });
  t.test('once the invitation is answered or revoked, the email may be invited again', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited(), revoked()])
      .when(invite('auditor', asAdmin, otherInvitationId))
      .then([invited('auditor', otherInvitationId, email, admin, t2)]);
  });
  t.test('an unknown organization invites nobody: not_found', async (t) => {
    specification(t)(organizationDecider, []).when(invite('manager', asOwner)).thenThrows('not_found');
  });
});

t.test('RevokeInvitation', async (t) => {
  const revokedBy = (userId: string): OrganizationEvent => ({ type: 'InvitationRevoked', data: { organizationId, invitationId, revokedBy: userId, revokedAt: t2 } });
  t.test('an admin takes back a pending invitation', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(revoke(asAdmin)).then([revokedBy(admin)]);
  });
  t.test('an owner takes back an invitation to the owner role', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited('owner')]).when(revoke(asOwner)).then([revokedBy(owner)]);
  });
  t.test('only an owner takes back an invitation to the owner role: forbidden', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited('owner')]).when(revoke(asAdmin)).thenThrows('forbidden');
  });
  t.test('an unknown invitation cannot be revoked: not_found', async (t) => {
    specification(t)(organizationDecider, staffed()).when(revoke(asOwner)).thenThrows('not_found');
  });
  t.test('an answered invitation cannot be revoked: not_found', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited(), accepted(), memberAdded(invitedUser, 'manager', t1)]).when(revoke(asOwner)).thenThrows('not_found');
    specification(t)(organizationDecider, [...staffed(), invited(), revoked()]).when(revoke(asOwner)).thenThrows('not_found');
  });
  t.test('an unknown organization revokes nothing: not_found', async (t) => {
    specification(t)(organizationDecider, []).when(revoke(asOwner)).thenThrows('not_found');
  });
});

t.test('AcceptInvitation', async (t) => {
  t.test('the invitee whose verified email it names joins, in the role it offered', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited('specialist')]).when(accept()).then([accepted(t2), memberAdded(invitedUser, 'specialist', t2)]);
  });
  t.test('only the work contact fields the event names are recorded', async (t) => {
    const padded = { ...workContact, loginPhone: '+79990000000' } as WorkContact;
    specification(t)(organizationDecider, [...staffed(), invited('specialist')]).when(accept(invitee(), padded)).then([accepted(t2), memberAdded(invitedUser, 'specialist', t2)]);
  });
  t.test('an invitee whose email is not verified cannot accept: not_found', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(accept(invitee(null))).thenThrows('not_found');
  });
  t.test('an invitation sent to someone else cannot be accepted: not_found', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(accept(invitee('ivan@example.com', stranger))).thenThrows('not_found');
  });
  t.test('a revoked invitation cannot be accepted: not_found', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited(), revoked()]).when(accept()).thenThrows('not_found');
  });
  t.test('an unknown invitation cannot be accepted: not_found', async (t) => {
    specification(t)(organizationDecider, staffed()).when(accept()).thenThrows('not_found');
  });
  t.test('a member cannot join again: conflict', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited('auditor', invitationId, 'admin@example.com')])
      .when(accept(invitee('admin@example.com', admin)))
      .thenThrows('conflict');
  });
  t.test('an unknown organization has no invitations: not_found', async (t) => {
    specification(t)(organizationDecider, []).when(accept()).thenThrows('not_found');
  });
});

t.test('DeclineInvitation', async (t) => {
  t.test('the invitee declines a pending invitation', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(decline()).then([{ type: 'InvitationDeclined', data: { organizationId, invitationId, declinedAt: t2 } }]);
  });
  t.test('an invitee whose email is not verified cannot decline: not_found', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(decline(invitee(null))).thenThrows('not_found');
  });
  t.test('an invitation sent to someone else cannot be declined: not_found', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited()]).when(decline(invitee('ivan@example.com', stranger))).thenThrows('not_found');
  });
  t.test('an answered invitation cannot be declined: not_found', async (t) => {
    specification(t)(organizationDecider, [...staffed(), invited(), accepted(), memberAdded(invitedUser, 'manager', t1)]).when(decline()).thenThrows('not_found');
  });
  t.test('an unknown organization has no invitations: not_found', async (t) => {
    specification(t)(organizationDecider, []).when(decline()).thenThrows('not_found');
  });
});

t.test('ChangeMemberRole', async (t) => {
  const twoOwners = (): OrganizationEvent[] => [...staffed(), memberAdded(invitedUser, 'owner')];
  t.test('an admin changes a role other than owner', async (t) => {
    specification(t)(organizationDecider, [...staffed(), memberAdded(invitedUser, 'manager')]).when(changeRole(invitedUser, 'specialist', asAdmin)).then([roleChanged(invitedUser, 'specialist')]);
  });
  t.test('the role a member already has is no event', async (t) => {
    specification(t)(organizationDecider, staffed()).when(changeRole(admin, 'admin', asAdmin)).then([]);
    specification(t)(organizationDecider, staffed()).when(changeRole(owner, 'owner', asAdmin)).then([]);
  });
  t.test('an owner, or a platform admin, makes a member an owner', async (t) => {
    specification(t)(organizationDecider, staffed()).when(changeRole(admin, 'owner', asOwner)).then([roleChanged(admin, 'owner')]);
    specification(t)(organizationDecider, staffed()).when(changeRole(admin, 'owner', asPlatformAdmin)).then([roleChanged(admin, 'owner')]);
  });
  t.test('only an owner makes an owner: forbidden', async (t) => {
    specification(t)(organizationDecider, staffed()).when(changeRole(admin, 'owner', asAdmin)).thenThrows('forbidden');
  });
  t.test('only an owner takes the owner role away: forbidden', async (t) => {
    specification(t)(organizationDecider, twoOwners()).when(changeRole(invitedUser, 'admin', asAdmin)).thenThrows('forbidden');
  });
  t.test('an owner steps down while another owner remains', async (t) => {
    specification(t)(organizationDecider, twoOwners()).when(changeRole(owner, 'admin', asOwner)).then([roleChanged(owner, 'admin')]);
  });
  t.test('the last owner cannot step down: conflict', async (t) => {
    specification(t)(organizationDecider, staffed()).when(changeRole(owner, 'admin', asOwner)).thenThrows('conflict');
  });
  t.test('someone who is not a member has no role to change: not_found', async (t) => {
    specification(t)(organizationDecider, staffed()).when(changeRole(stranger, 'manager', asOwner)).thenThrows('not_found');
  });
  t.test('an unknown organization has no members: not_found', async (t) => {
    specification(t)(organizationDecider, []).when(changeRole(admin, 'manager', asOwner)).thenThrows('not_found');
  });
});

t.test('RemoveMember', async (t) => {
  const twoOwners = (): OrganizationEvent[] => [...staffed(), memberAdded(invitedUser, 'owner')];
  t.test('an admin removes a member who is not an owner', async (t) => {
    specification(t)(organizationDecider, [...staffed(), memberAdded(invitedUser, 'manager')]).when(removeMember(invitedUser, asAdmin)).then([memberRemoved(invitedUser)]);
  });
  t.test('an owner removes another owner while one remains', async (t) => {
    specification(t)(organizationDecider, twoOwners()).when(removeMember(invitedUser, asOwner)).then([memberRemoved(invitedUser)]);
  });
  t.test('only an owner removes an owner: forbidden', async (t) => {
    specification(t)(organizationDecider, twoOwners()).when(removeMember(invitedUser, asAdmin)).thenThrows('forbidden');
  });
  t.test('the last owner cannot be removed, even by a platform admin: conflict', async (t) => {
    specification(t)(organizationDecider, staffed()).when(removeMember(owner, asOwner)).thenThrows('conflict');
    specification(t)(organizationDecider, staffed()).when(removeMember(owner, asPlatformAdmin)).thenThrows('conflict');
  });
  t.test('someone who is not a member cannot be removed: not_found', async (t) => {
    specification(t)(organizationDecider, staffed()).when(removeMember(stranger, asOwner)).thenThrows('not_found');
    specification(t)(organizationDecider, [...staffed(), memberRemoved(admin)]).when(removeMember(admin, asOwner)).thenThrows('not_found');
  });
  t.test('an unknown organization has no members: not_found', async (t) => {
    specification(t)(organizationDecider, []).when(removeMember(admin, asOwner)).thenThrows('not_found');
  });
});
