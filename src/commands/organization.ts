import type { OrganizationChanges, OrganizationDetails, OrganizationEvent, Role } from '../events/organization.js';
import type { Decider } from './decider.js';
import { conflict, DomainError } from './errors.js';

export interface ActiveOrganization {
  readonly status: 'active';
  readonly organizationId: string;
  readonly details: OrganizationDetails;
  /** Role by user id. */
  readonly members: Readonly<Record<string, Role>>;
}

export type OrganizationState = { readonly status: 'none' } | ActiveOrganization;

/**
 * Who asks. Route-level access (src/api/access.ts) already let the caller in;
 * the decider still needs the caller's own role for the rule that only an
 * owner hands out, changes or takes away the owner role. A platform admin
 * counts as an owner everywhere.
 */
export interface Actor {
  readonly userId: string;
  readonly platformAdmin: boolean;
}

export type OrganizationCommand =
  | { type: 'CreateOrganization'; data: { organizationId: string; details: OrganizationDetails; creatorId: string; now: string } }
  | { type: 'UpdateOrganization'; data: { organizationId: string; changes: OrganizationChanges; now: string } }
  | { type: 'AddMember'; data: { organizationId: string; userId: string; role: Role; actor: Actor; now: string } }
  | { type: 'ChangeMemberRole'; data: { organizationId: string; userId: string; role: Role; actor: Actor; now: string } }
  | { type: 'RemoveMember'; data: { organizationId: string; userId: string; actor: Actor; now: string } };

// The same text as the API's 403 (src/api/errors.ts): the seed frontends rely on it.
const forbidden = () => new DomainError('forbidden', 'You do not have permission to perform this action.');
const lastOwner = () => conflict('An organization must keep at least one owner.');

function active(state: OrganizationState): ActiveOrganization {
  if (state.status !== 'active') throw new DomainError('not_found', 'Not found.');
  return state;
}

function memberRole(organization: ActiveOrganization, userId: string): Role {
  const role = organization.members[userId];
  if (!role) throw new DomainError('not_found', 'This user is not a member of the organization.');
  return role;
}

function requireOwnerAuthority(organization: ActiveOrganization, actor: Actor): void {
  if (!actor.platformAdmin && organization.members[actor.userId] !== 'owner') throw forbidden();
}

const ownerCount = (organization: ActiveOrganization) => Object.values(organization.members).filter((role) => role === 'owner').length;

function changedDetails(current: OrganizationDetails, requested: OrganizationChanges): OrganizationChanges {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(requested)) {
    // numbers and links are small objects: compared by their JSON.
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[field as keyof OrganizationDetails])) changes[field] = value;
  }
  return changes as OrganizationChanges;
}

function decide(command: OrganizationCommand, state: OrganizationState): OrganizationEvent[] {
  switch (command.type) {
    case 'CreateOrganization': {
      if (state.status !== 'none') throw conflict('This organization already exists.');
      const { organizationId, details, creatorId, now } = command.data;
      return [
        { type: 'OrganizationCreated', data: { organizationId, ...details, creatorId, createdAt: now } },
        // The creator owns it from the first moment: an organization is never without an owner.
        { type: 'MemberAdded', data: { organizationId, userId: creatorId, role: 'owner', addedAt: now } },
      ];
    }
    case 'UpdateOrganization': {
      const { organizationId, now } = command.data;
      const changes = changedDetails(active(state).details, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'OrganizationUpdated', data: { organizationId, changes, updatedAt: now } }];
    }
    case 'AddMember': {
      const { organizationId, userId, role, actor, now } = command.data;
      const organization = active(state);
      if (organization.members[userId]) throw conflict('This user is already a member of the organization.');
      if (role === 'owner') requireOwnerAuthority(organization, actor);
      return [{ type: 'MemberAdded', data: { organizationId, userId, role, addedAt: now } }];
    }
    case 'ChangeMemberRole': {
      const { organizationId, userId, role, actor, now } = command.data;
      const organization = active(state);
      const current = memberRole(organization, userId);
      if (current === role) return [];
      if (current === 'owner' || role === 'owner') requireOwnerAuthority(organization, actor);
      if (current === 'owner' && ownerCount(organization) === 1) throw lastOwner();
      return [{ type: 'MemberRoleChanged', data: { organizationId, userId, role, changedAt: now } }];
    }
    case 'RemoveMember': {
      const { organizationId, userId, actor, now } = command.data;
      const organization = active(state);
      const current = memberRole(organization, userId);
      if (current === 'owner') {
        requireOwnerAuthority(organization, actor);
        if (ownerCount(organization) === 1) throw lastOwner();
      }
      return [{ type: 'MemberRemoved', data: { organizationId, userId, removedAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case 'OrganizationCreated': {
      const { organizationId, name, description, address, numbers, links } = event.data;
      return { status: 'active', organizationId, details: { name, description, address, numbers, links }, members: {} };
    }
    case 'OrganizationUpdated':
      return state.status === 'active' ? { ...state, details: { ...state.details, ...event.data.changes } } : state;
    case 'MemberAdded':
    case 'MemberRoleChanged':
      return state.status === 'active' ? { ...state, members: { ...state.members, [event.data.userId]: event.data.role } } : state;
    case 'MemberRemoved': {
      if (state.status !== 'active') return state;
      const { [event.data.userId]: _removed, ...members } = state.members;
      return { ...state, members };
    }
    default:
      return state;
  }
}

export const organizationDecider: Decider<OrganizationState, OrganizationCommand, OrganizationEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
