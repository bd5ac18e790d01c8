import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { Nullable } from '../schema.js';

// Stream `organization-{organizationId}`: a business (clinic, salon, studio)
// with its staff and their roles. Memberships live in the organization's
// stream, not the user's, so one decision sees every member: that is what
// keeps "an organization always has an owner" true under concurrency.
//
// Staff join by invitation only (docs/trust-model.md): the organization names
// an email and a role; the person whose VERIFIED email it is accepts or
// declines. Until then the stream holds nothing of them but that email.

export const organizationStream = (organizationId: string) => `organization-${organizationId}`;

export const ROLES = ['owner', 'admin', 'manager', 'specialist', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Enum(ROLES);

const Labels = Type.Record(Type.String(), Type.String());

export const OrganizationDetails = Type.Object({
  name: Type.String(),
  description: Type.String(),
  address: Type.String(),
  /** Phone numbers by label: `{ "main": "+79999999999" }`. */
  numbers: Labels,
  /** Links by label: `{ "vk": "vk.com/..." }`. */
  links: Labels,
});
export type OrganizationDetails = Static<typeof OrganizationDetails>;

export const OrganizationChanges = Type.Partial(OrganizationDetails);
export type OrganizationChanges = Static<typeof OrganizationChanges>;

export const OrganizationCreatedData = Type.Object({
  organizationId: Type.String(),
  ...OrganizationDetails.properties,
  creatorId: Type.String(),
  createdAt: Type.String(),
});
export const OrganizationUpdatedData = Type.Object({ organizationId: Type.String(), changes: OrganizationChanges, updatedAt: Type.String() });
export const MemberAddedData = Type.Object({ organizationId: Type.String(), userId: Type.String(), role: RoleSchema, addedAt: Type.String() });
export const MemberRoleChangedData = Type.Object({ organizationId: Type.String(), userId: Type.String(), role: RoleSchema, changedAt: Type.String() });
export const MemberRemovedData = Type.Object({ organizationId: Type.String(), userId: Type.String(), removedAt: Type.String() });

/** How a member may be reached at work, as they chose to show colleagues; never their login contacts. */
export const WorkContact = Type.Object({ email: Nullable(Type.String()), phone: Nullable(Type.String()) });
export type WorkContact = Static<typeof WorkContact>;

export const MemberInvitedData = Type.Object({
  organizationId: Type.String(),
  invitationId: Type.String(),
  /** Lowercased, as the organization typed it. */
  email: Type.String(),
  role: RoleSchema,
  invitedBy: Type.String(),
  invitedAt: Type.String(),
});
/** Always followed, in the same append, by the MemberAdded it grants. */
export const InvitationAcceptedData = Type.Object({
  organizationId: Type.String(),
  invitationId: Type.String(),
  userId: Type.String(),
  workContact: WorkContact,
  acceptedAt: Type.String(),
});
// Who declined is not recorded: until accepted, the organization learns nothing of the invitee.
export const InvitationDeclinedData = Type.Object({ organizationId: Type.String(), invitationId: Type.String(), declinedAt: Type.String() });
export const InvitationRevokedData = Type.Object({ organizationId: Type.String(), invitationId: Type.String(), revokedBy: Type.String(), revokedAt: Type.String() });

export type OrganizationCreated = Event<'OrganizationCreated', Static<typeof OrganizationCreatedData>>;
export type OrganizationUpdated = Event<'OrganizationUpdated', Static<typeof OrganizationUpdatedData>>;
export type MemberAdded = Event<'MemberAdded', Static<typeof MemberAddedData>>;
export type MemberRoleChanged = Event<'MemberRoleChanged', Static<typeof MemberRoleChangedData>>;
export type MemberRemoved = Event<'MemberRemoved', Static<typeof MemberRemovedData>>;
export type MemberInvited = Event<'MemberInvited', Static<typeof MemberInvitedData>>;
export type InvitationAccepted = Event<'InvitationAccepted', Static<typeof InvitationAcceptedData>>;
export type InvitationDeclined = Event<'InvitationDeclined', Static<typeof InvitationDeclinedData>>;
export type InvitationRevoked = Event<'InvitationRevoked', Static<typeof InvitationRevokedData>>;

export type OrganizationEvent =
  | OrganizationCreated
  | OrganizationUpdated
  | MemberAdded
  | MemberRoleChanged
  | MemberRemoved
  | MemberInvited
  | InvitationAccepted
  | InvitationDeclined
  | InvitationRevoked;

export const organizationEventTypes: readonly OrganizationEvent['type'][] = [
  'OrganizationCreated',
  'OrganizationUpdated',
  'MemberAdded',
  'MemberRoleChanged',
  'MemberRemoved',
  'MemberInvited',
  'InvitationAccepted',
  'InvitationDeclined',
  'InvitationRevoked',
];
