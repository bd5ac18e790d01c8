import t from 'tap';
import { organizationDecider, type Actor, type Invitee, type OrganizationCommand } from '../../src/commands/organizations/organization.js';
import type { OrganizationDetails, OrganizationEvent, Role, WorkContact } from '../../src/events/organizations/organization.js';
import { specification } from './spec.js';

const org = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const owner = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const admin = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const doctor = '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const root = 'e0e0e0e0-1111-4222-8333-444455556666';
const now = '2026-11-23T10:00:00.000Z';

const details: OrganizationDetails = { name: 'Clinic', description: 'Family clinic', address: 'Lenina 1', numbers: { main: '+79999999999' }, links: { vk: 'vk.com' } };
const created: OrganizationEvent = { type: 'OrganizationCreated', data: { organizationId: org, ...details, creatorId: owner, createdAt: now } };
const added = (userId: string, role: Role): OrganizationEvent => ({ type: 'MemberAdded', data: { organizationId: org, userId, role, addedAt: now } });
const founded = [created, added(owner, 'owner')];
const staffed = [...founded, added(admin, 'admin'), added(doctor, 'specialist')];

const as = (userId: string, platformAdmin = false): Actor => ({ userId, platformAdmin });
const invitationId = '3f2e1d0c-9b8a-4765-8432-10fedcba9876';
const otherInvitation = '4a3b2c1d-0e9f-4876-9543-210fedcba987';
const doctorEmail = 'doctor@clinic.example';
const noContact: WorkContact = { email: null, phone: null };
const invited = (email: string, role: Role, by = owner, id = invitationId): OrganizationEvent => ({
  type: 'MemberInvited',
  data: { organizationId: org, invitationId: id, email, role, invitedBy: by, invitedAt: now },
});
const invite = (email: string, role: Role, actor: Actor, id = invitationId): OrganizationCommand => ({
  type: 'InviteMember',
  data: { organizationId: org, invitationId: id, email, role, actor, now },
});
const invitee = (userId: string, verifiedEmail: string | null): Invitee => ({ userId, verifiedEmail });
const accept = (who: Invitee, workContact = noContact, id = invitationId): OrganizationCommand => ({
  type: 'AcceptInvitation',
  data: { organizationId: org, invitationId: id, invitee: who, workContact, now },
});
const decline = (who: Invitee, id = invitationId): OrganizationCommand => ({ type: 'DeclineInvitation', data: { organizationId: org, invitationId: id, invitee: who, now } });
const revoke = (actor: Actor, id = invitationId): OrganizationCommand => ({ type: 'RevokeInvitation', data: { organizationId: org, invitationId: id, actor, now } });
const changeRole = (userId: string, role: Role, actor: Actor): OrganizationCommand => ({ type: 'ChangeMemberRole', data: { organizationId: org, userId, role, actor, now } });
const remove = (userId: string, actor: Actor): OrganizationCommand => ({ type: 'RemoveMember', data: { organizationId: org, userId, actor, now } });

t.test('creating: the organization and its owner in one decision', async (t) => {
  const given = specification(t);
  given(organizationDecider, []).when({ type: 'CreateOrganization', data: { organizationId: org, details, creatorId: owner, now } }).then(founded);
  given(organizationDecider, founded).when({ type: 'CreateOrganization', data: { organizationId: org, details, creatorId: admin, now } }).thenThrows('conflict');
});

t.test('updating records only what differs; an unknown organization is not found', async (t) => {
  const given = specification(t);
  given(organizationDecider, founded)
    .when({ type: 'UpdateOrganization', data: { organizationId: org, changes: { name: 'Clinic', links: { site: 'clinic.example' } }, now } })
    .then([{ type: 'OrganizationUpdated', data: { organizationId: org, changes: { links: { site: 'clinic.example' } }, updatedAt: now } }]);
  given(organizationDecider, founded).when({ type: 'UpdateOrganization', data: { organizationId: org, changes: { numbers: { main: '+79999999999' } }, now } }).then([]);
  given(organizationDecider, []).when({ type: 'UpdateOrganization', data: { organizationId: org, changes: { name: 'x' }, now } }).thenThrows('not_found');
});

t.test('inviting: by email with a role; only an owner (or a platform admin) invites an owner; one pending invitation per email', async (t) => {
  const given = specification(t);
  given(organizationDecider, founded).when(invite(doctorEmail, 'specialist', as(owner))).then([invited(doctorEmail, 'specialist')]);
  given(organizationDecider, staffed).when(invite(doctorEmail, 'manager', as(admin))).then([invited(doctorEmail, 'manager', admin)]);
  given(organizationDecider, staffed).when(invite('root@clinic.example', 'owner', as(admin))).thenThrows('forbidden');
  given(organizationDecider, staffed).when(invite('root@clinic.example', 'owner', as(owner))).then([invited('root@clinic.example', 'owner')]);
  given(organizationDecider, staffed).when(invite('root@clinic.example', 'owner', as(root, true))).then([invited('root@clinic.example', 'owner', root)]);
  given(organizationDecider, [...founded, invited(doctorEmail, 'specialist')]).when(invite(doctorEmail, 'admin', as(owner), otherInvitation)).thenThrows('conflict');
  given(organizationDecider, [...founded, invited(doctorEmail, 'specialist')]).when(invite('nurse@clinic.example', 'specialist', as(owner))).thenThrows('conflict');
  given(organizationDecider, []).when(invite(doctorEmail, 'specialist', as(owner))).thenThrows('not_found');
});

t.test('accepting: only the invitee whose VERIFIED email it names; the membership comes with it', async (t) => {
  const given = specification(t);
  const pending = [...founded, invited(doctorEmail, 'specialist')];
  const contact = { email: 'reception@clinic.example', phone: '+74951234567' };
  given(organizationDecider, pending)
    .when(accept(invitee(doctor, doctorEmail), contact))
    .then([
      { type: 'InvitationAccepted', data: { organizationId: org, invitationId, userId: doctor, workContact: contact, acceptedAt: now } },
      added(doctor, 'specialist'),
    ]);
  given(organizationDecider, pending).when(accept(invitee(doctor, null))).thenThrows('not_found');
  given(organizationDecider, pending).when(accept(invitee(root, 'root@clinic.example'))).thenThrows('not_found');
  given(organizationDecider, pending).when(accept(invitee(doctor, doctorEmail), noContact, otherInvitation)).thenThrows('not_found');
  given(organizationDecider, [...staffed, invited(doctorEmail, 'manager')]).when(accept(invitee(doctor, doctorEmail))).thenThrows('conflict');
  const answered = [...pending, { type: 'InvitationDeclined', data: { organizationId: org, invitationId, declinedAt: now } } satisfies OrganizationEvent];
  given(organizationDecider, answered).when(accept(invitee(doctor, doctorEmail))).thenThrows('not_found');
});

t.test('declining and revoking: a pending invitation, by its invitee or by the organization', async (t) => {
  const given = specification(t);
  const pending = [...staffed, invited('nurse@clinic.example', 'specialist')];
  given(organizationDecider, pending)
    .when(decline(invitee(root, 'nurse@clinic.example')))
    .then([{ type: 'InvitationDeclined', data: { organizationId: org, invitationId, declinedAt: now } }]);
  given(organizationDecider, pending).when(decline(invitee(root, 'someone@else.example'))).thenThrows('not_found');
  given(organizationDecider, pending).when(decline(invitee(root, null))).thenThrows('not_found');
  given(organizationDecider, pending)
    .when(revoke(as(admin)))
    .then([{ type: 'InvitationRevoked', data: { organizationId: org, invitationId, revokedBy: admin, revokedAt: now } }]);
  given(organizationDecider, pending).when(revoke(as(admin), otherInvitation)).thenThrows('not_found');
  const toOwner = [...staffed, invited('root@clinic.example', 'owner')];
  given(organizationDecider, toOwner).when(revoke(as(admin))).thenThrows('forbidden');
  given(organizationDecider, toOwner)
    .when(revoke(as(owner)))
    .then([{ type: 'InvitationRevoked', data: { organizationId: org, invitationId, revokedBy: owner, revokedAt: now } }]);
  const revoked = [...pending, { type: 'InvitationRevoked', data: { organizationId: org, invitationId, revokedBy: admin, revokedAt: now } } satisfies OrganizationEvent];
  given(organizationDecider, revoked).when(accept(invitee(root, 'nurse@clinic.example'))).thenThrows('not_found');
  given(organizationDecider, revoked).when(revoke(as(owner))).thenThrows('not_found');
  given(organizationDecider, revoked).when(invite('nurse@clinic.example', 'manager', as(owner), otherInvitation)).then([invited('nurse@clinic.example', 'manager', owner, otherInvitation)]);
});

t.test('changing roles: members only, the owner role by owners, never the last owner', async (t) => {
  const given = specification(t);
  const changed = (userId: string, role: Role): OrganizationEvent => ({ type: 'MemberRoleChanged', data: { organizationId: org, userId, role, changedAt: now } });
  given(organizationDecider, staffed).when(changeRole(doctor, 'manager', as(admin))).then([changed(doctor, 'manager')]);
  given(organizationDecider, staffed).when(changeRole(doctor, 'specialist', as(admin))).then([]);
  given(organizationDecider, staffed).when(changeRole(root, 'manager', as(owner))).thenThrows('not_found');
  given(organizationDecider, staffed).when(changeRole(doctor, 'owner', as(admin))).thenThrows('forbidden');
  given(organizationDecider, staffed).when(changeRole(owner, 'admin', as(admin))).thenThrows('forbidden');
  given(organizationDecider, staffed).when(changeRole(owner, 'admin', as(owner))).thenThrows('conflict');
  given(organizationDecider, [...staffed, changed(admin, 'owner')]).when(changeRole(owner, 'admin', as(admin))).then([changed(owner, 'admin')]);
});

t.test('removing: members only, never the last owner', async (t) => {
  const given = specification(t);
  const removed = (userId: string): OrganizationEvent => ({ type: 'MemberRemoved', data: { organizationId: org, userId, removedAt: now } });
  given(organizationDecider, staffed).when(remove(doctor, as(admin))).then([removed(doctor)]);
  given(organizationDecider, [...staffed, removed(doctor)]).when(remove(doctor, as(admin))).thenThrows('not_found');
  given(organizationDecider, staffed).when(remove(owner, as(owner))).thenThrows('conflict');
  given(organizationDecider, staffed).when(remove(owner, as(root, true))).thenThrows('conflict');
  given(organizationDecider, [...staffed, added(root, 'owner')]).when(remove(owner, as(admin))).thenThrows('forbidden');
  given(organizationDecider, [...staffed, added(root, 'owner')]).when(remove(owner, as(root))).then([removed(owner)]);
});

t.test('the folded state is the member list a later command decides against', async (t) => {
  const state = [...staffed, { type: 'MemberRemoved', data: { organizationId: org, userId: doctor, removedAt: now } } satisfies OrganizationEvent].reduce(
    organizationDecider.evolve,
    organizationDecider.initialState(),
  );
  t.strictSame(state, { status: 'active', organizationId: org, details, members: { [owner]: 'owner', [admin]: 'admin' }, invitations: {} });
  const invitedState = [...staffed, invited('nurse@clinic.example', 'specialist'), invited('root@clinic.example', 'owner', owner, otherInvitation)].reduce(organizationDecider.evolve, organizationDecider.initialState());
  t.match(invitedState, { invitations: { [invitationId]: { email: 'nurse@clinic.example', role: 'specialist' }, [otherInvitation]: { email: 'root@clinic.example', role: 'owner' } } });
});
