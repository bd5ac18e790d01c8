import type { EventCatalogue } from '../catalogue.js';
import * as organization from './organization.js';

/** The events of organizations, their members and invitations. */
export const organizationEvents: EventCatalogue = {
  schemas: {
    OrganizationCreated: organization.OrganizationCreatedData,
    OrganizationUpdated: organization.OrganizationUpdatedData,
    MemberAdded: organization.MemberAddedData,
    MemberRoleChanged: organization.MemberRoleChangedData,
    MemberRemoved: organization.MemberRemovedData,
    MemberInvited: organization.MemberInvitedData,
    InvitationAccepted: organization.InvitationAcceptedData,
    InvitationDeclined: organization.InvitationDeclinedData,
    InvitationRevoked: organization.InvitationRevokedData,
  },
};
