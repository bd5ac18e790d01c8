import type { ColumnType, Selectable } from 'kysely';
import type { Timestamp, Json } from '../../db/database.js';

// The tables of this capability's read models: organizations, their members and the invitations they sent.
// Written only by its projections; made by the dated migrations in src/db/migrations/.

declare module '../../db/database.js' {
  interface Database {
    organizations: OrganizationsTable;
    memberships: MembershipsTable;
    staff_invitations: StaffInvitationsTable;
  }
}

export interface OrganizationsTable {
  id: string;
  name: string;
  description: string;
  address: string;
  numbers: Json<Record<string, string>>;
  links: Json<Record<string, string>>;
  creator_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'manager' | 'specialist' | 'auditor';
  added_at: Timestamp;
  /** How colleagues reach the member at work, as the member chose; never the login contacts. */
  work_email: ColumnType<string | null, string | null | undefined, string | null>;
  work_phone: ColumnType<string | null, string | null | undefined, string | null>;
}

/** An organization's invitation to an email; the invitee is not recorded until they accept. */
export interface StaffInvitationsTable {
  id: string;
  organization_id: string;
  /** Lowercased, as the organization typed it. */
  email: string;
  role: 'owner' | 'admin' | 'manager' | 'specialist' | 'auditor';
  status: 'pending' | 'accepted' | 'declined' | 'revoked';
  invited_by: string;
  created_at: Timestamp;
  answered_at: Timestamp | null;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type MembershipRow = Selectable<MembershipsTable>;
export type StaffInvitationRow = Selectable<StaffInvitationsTable>;
