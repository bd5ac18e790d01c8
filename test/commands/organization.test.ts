import t from 'tap';
import { organizationDecider, type Actor, type OrganizationCommand } from '../../src/commands/organization.js';
import type { OrganizationDetails, OrganizationEvent, Role } from '../../src/events/organization.js';
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
const add = (userId: string, role: Role, actor: Actor): OrganizationCommand => ({ type: 'AddMember', data: { organizationId: org, userId, role, actor, now } });
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

t.test('adding members: once each; only an owner (or a platform admin) grants owner', async (t) => {
  const given = specification(t);
  given(organizationDecider, founded).when(add(admin, 'admin', as(owner))).then([added(admin, 'admin')]);
  given(organizationDecider, staffed).when(add(doctor, 'manager', as(owner))).thenThrows('conflict');
  given(organizationDecider, staffed).when(add(root, 'owner', as(admin))).thenThrows('forbidden');
  given(organizationDecider, staffed).when(add(root, 'owner', as(owner))).then([added(root, 'owner')]);
  given(organizationDecider, staffed).when(add(root, 'owner', as(root, true))).then([added(root, 'owner')]);
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
  t.strictSame(state, { status: 'active', organizationId: org, details, members: { [owner]: 'owner', [admin]: 'admin' } });
});
