import { OrganizationDetails, WorkContact, type OrganizationChanges, type OrganizationEvent, type Role } from '../../events/organizations/organization.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { changedFields, fieldsOf, pick } from '../fields.js';

const DETAILS = fieldsOf(OrganizationDetails);
const WORK_CONTACT = fieldsOf(WorkContact);

export interface ActiveOrganization {
  readonly status: 'active';
  readonly organizationId: string;
  readonly details: OrganizationDetails;
  /** Role by user id. */
  readonly members: Readonly<Record<string, Role>>;
  /** Pending invitations by id; an answered or revoked one is gone. */
  readonly invitations: Readonly<Record<string, PendingInvitation>>;
}

export interface PendingInvitation {
  /** Lowercased. */
  readonly email: string;
  readonly role: Role;
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

/**
 * The person answering an invitation. The caller reads their user stream:
 * `verifiedEmail` is their email only once they proved it, else null. An
 * invitation is theirs only when it names that email.
 */
export interface Invitee {
  readonly userId: string;
  readonly verifiedEmail: string | null;
}

export type OrganizationCommand =
  | { type: 'CreateOrganization'; data: { organizationId: string; details: OrganizationDetails; creatorId: string; now: string } }
  | { type: 'UpdateOrganization'; data: { organizationId: string; changes: OrganizationChanges; now: string } }
  | { type: 'InviteMember'; data: { organizationId: string; invitationId: string; email: string; role: Role; actor: Actor; now: string } }
  | { type: 'RevokeInvitation'; data: { organizationId: string; invitationId: string; actor: Actor; now: string } }
  | { type: 'AcceptInvitation'; data: { organizationId: string; invitationId: string; invitee: Invitee; workContact: WorkContact; now: string } }
  | { type: 'DeclineInvitation'; data: { organizationId: string; invitationId: string; invitee: Invitee; now: string } }
  | { type: 'ChangeMemberRole'; data: { organizationId: string; userId: string; role: Role; actor: Actor; now: string } }
  | { type: 'RemoveMember'; data: { organizationId: string; userId: string; actor: Actor; now: string } };

// The same text as the API's 403 (src/api/errors.ts): the seed frontends rely on it.
const forbidden = () => new DomainError('forbidden', 'You do not have permission to perform this action.');
const lastOwner = () => conflict('An organization must keep at least one owner.');
const invitationNotFound = () => new DomainError('not_found', 'Not found.');

function active(state: OrganizationState): ActiveOrganization {
  if (state.status !== 'active') throw new DomainError('not_found', 'Not found.');
  return state;
}

function memberRole(organization: ActiveOrganization, userId: string): Role {
  const role = organization.members[userId];
  if (!role) throw new DomainError('not_found', 'This user is not a member of the organization.');
  return role;
}

/**
 * The pending invitation addressed to this invitee. Any other (unknown,
 * answered, revoked, or someone else's) is the same 404: an invitation id
 * tells nothing to whoever it was not sent to.
 */
function invitationFor(organization: ActiveOrganization, invitationId: string, invitee: Invitee): PendingInvitation {
  const invitation = organization.invitations[invitationId];
  if (!invitation || invitee.verifiedEmail === null || invitee.verifiedEmail !== invitation.email) throw invitationNotFound();
  return invitation;
}

function requireOwnerAuthority(organization: ActiveOrganization, actor: Actor): void {
  if (!actor.platformAdmin && organization.members[actor.userId] !== 'owner') throw forbidden();
}

const ownerCount = (organization: ActiveOrganization) => Object.values(organization.members).filter((role) => role === 'owner').length;

function decide(command: OrganizationCommand, state: OrganizationState): OrganizationEvent[] {
  switch (command.type) {
    case 'CreateOrganization': {
      if (state.status !== 'none') throw conflict('This organization already exists.');
      const { organizationId, details, creatorId, now } = command.data;
      return [
        { type: 'OrganizationCreated', data: { organizationId, ...pick(details, DETAILS), creatorId, createdAt: now } },
        // The creator owns it from the first moment: an organization is never without an owner.
        { type: 'MemberAdded', data: { organizationId, userId: creatorId, role: 'owner', addedAt: now } },
      ];
    }
    case 'UpdateOrganization': {
      const { organizationId, now } = command.data;
      const changes = changedFields<OrganizationChanges>(DETAILS, active(state).details, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'OrganizationUpdated', data: { organizationId, changes, updatedAt: now } }];
    }
    case 'InviteMember': {
      const { organizationId, invitationId, email, role, actor, now } = command.data;
      const organization = active(state);
      if (role === 'owner') requireOwnerAuthority(organization, actor);
      if (organization.invitations[invitationId]) throw conflict('This invitation already exists.');
      if (Object.values(organization.invitations).some((pending) => pending.email === email)) throw conflict('This email already has a pending invitation.');
      return [{ type: 'MemberInvited', data: { organizationId, invitationId, email, role, invitedBy: actor.userId, invitedAt: now } }];
    }
    case 'RevokeInvitation': {
      const { organizationId, invitationId, actor, now } = command.data;
      const organization = active(state);
      const invitation = organization.invitations[invitationId];
      if (!invitation) throw invitationNotFound();
      // Like the owner role itself: only an owner takes back an invitation to it.
      if (invitation.role === 'owner') requireOwnerAuthority(organization, actor);
      return [{ type: 'InvitationRevoked', data: { organizationId, invitationId, revokedBy: actor.userId, revokedAt: now } }];
    }
    case 'AcceptInvitation': {
      const { organizationId, invitationId, invitee, workContact, now } = command.data;
      const organization = active(state);
      const { role } = invitationFor(organization, invitationId, invitee);
      if (organization.members[invitee.userId]) throw conflict('You are already a member of this organization.');
      return [
        { type: 'InvitationAccepted', data: { organizationId, invitationId, userId: invitee.userId, workContact: pick(workContact, WORK_CONTACT), acceptedAt: now } },
        { type: 'MemberAdded', data: { organizationId, userId: invitee.userId, role, addedAt: now } },
      ];
    }
    case 'DeclineInvitation': {
      const { organizationId, invitationId, invitee, now } = command.data;
      invitationFor(active(state), invitationId, invitee);
      return [{ type: 'InvitationDeclined', data: { organizationId, invitationId, declinedAt: now } }];
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
      return { status: 'active', organizationId, details: { name, description, address, numbers, links }, members: {}, invitations: {} };
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
    case 'MemberInvited': {
      if (state.status !== 'active') return state;
      const { invitationId, email, role } = event.data;
      return { ...state, invitations: { ...state.invitations, [invitationId]: { email, role } } };
    }
    case 'InvitationAccepted':
    case 'InvitationDeclined':
    case 'InvitationRevoked': {
      if (state.status !== 'active') return state;
      const { [event.data.invitationId]: _answered, ...invitations } = state.invitations;
      return { ...state, invitations };
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
