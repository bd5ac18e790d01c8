import type { ColumnType, Generated, Selectable } from 'kysely';

/** int8 columns come back from the driver as strings (pg) or numbers/bigints (PGlite). */
type Int8 = ColumnType<string | number | bigint, string | number | bigint, string | number | bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface StreamsTable {
  stream_id: string;
  version: number;
}

export interface EventsTable {
  global_position: Generated<Int8>;
  transaction_id: Generated<Int8>;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: Json<unknown>;
  metadata: Json<unknown>;
  created_at: Generated<Timestamp>;
}

export interface ProjectionCheckpointsTable {
  name: string;
  commit_position: Int8;
  prepare_position: Int8;
  updated_at: Generated<Timestamp>;
}

/** An event a projection could not apply, set aside so it follows the log for everyone else. */
export interface ProjectionParkedEventsTable {
  projection: string;
  event_id: string;
  commit_position: Int8;
  prepare_position: Int8;
  stream: string;
  stream_version: number;
  type: string;
  error: string;
  parked_at: Generated<Date>;
}

export interface CredentialsTable {
  subject_id: string;
  subject_kind: 'client' | 'user';
  password_hash: string;
  updated_at: Generated<Timestamp>;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  subject_id: string;
  subject_kind: 'client' | 'user';
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** A person's own account (client who books); see docs/trust-model.md. */
export interface ClientAccountsTable {
  id: string;
  /** Login phone (E.164); gives rights only once `confirmed_phone`. */
  phone: string;
  confirmed_phone: Generated<boolean>;
  first_name: string;
  last_name: string;
  patronymic: string;
  email: string | null;
  birthday: string | null;
  sex: string | null;
  address: string;
  additional_info: string;
  links: ColumnType<Record<string, string>, string | undefined, string>;
  registered_at: Timestamp;
  updated_at: Timestamp;
  stream_version: number;
}

/** One organization's record of a client; `account_id` is set only by the person linking it. */
export interface ClientRecordsTable {
  id: string;
  organization_id: string;
  account_id: string | null;
  /** Contact phone as the organization wrote it; never a login. */
  phone: string;
  email: string | null;
  first_name: string;
  last_name: string;
  patronymic: string;
  birthday: string | null;
  sex: string | null;
  address: string;
  additional_info: string;
  links: ColumnType<Record<string, string>, string | undefined, string>;
  /** Account fields (domain names) the linked person shares with the organization. */
  shared: ColumnType<string[], string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  linked_at: Timestamp | null;
  removed_at: Timestamp | null;
  stream_version: number;
}

export interface CodeChallengesTable {
  id: string;
  purpose: string;
  subject_id: string;
  subject_kind: 'client' | 'user';
  code_hmac: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  attempts: Generated<number>;
  consumed_at: Timestamp | null;
  /** The phone or email the code was sent to; null on challenges issued before codes were bound. */
  destination: string | null;
}

/** A counter of one limited thing in its current window (src/auth/quotas.ts). */
export interface QuotasTable {
  key: string;
  window_start: Timestamp;
  used: number;
}

export interface LoginFailuresTable {
  account: string;
  failures: number;
  last_failure_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface UsersTable {
  id: string;
  email: string;
  phone: string | null;
  first_name: string;
  last_name: string;
  patronymic: string;
  address: string;
  confirmed_email: Generated<boolean>;
  confirmed_phone: Generated<boolean>;
  platform_admin: Generated<boolean>;
  deleted_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
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

/** The embedded mode's jobs (jobs/job-journal.ts); with Redis, BullMQ keeps them instead. */
export interface JobsTable {
  id: string;
  name: string;
  data: Json<Record<string, string>>;
  state: 'waiting' | 'completed' | 'failed';
  /** The attempt to run next (or the last one, once finished), from 1. */
  attempt: number;
  attempts: number;
  run_at: Timestamp;
  error: string | null;
  finished_at: Timestamp | null;
}

export interface Database {
  jobs: JobsTable;
  users: UsersTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  staff_invitations: StaffInvitationsTable;
  streams: StreamsTable;
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  projection_parked_events: ProjectionParkedEventsTable;
  credentials: CredentialsTable;
  refresh_tokens: RefreshTokensTable;
  client_accounts: ClientAccountsTable;
  client_records: ClientRecordsTable;
  code_challenges: CodeChallengesTable;
  quotas: QuotasTable;
  login_failures: LoginFailuresTable;
  places: PlacesTable;
  specialists: SpecialistsTable;
  appointments: AppointmentsTable;
}

export type ClientAccountRow = Selectable<ClientAccountsTable>;
export type ClientRecordRow = Selectable<ClientRecordsTable>;
export type UserRow = Selectable<UsersTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type MembershipRow = Selectable<MembershipsTable>;
export type StaffInvitationRow = Selectable<StaffInvitationsTable>;

export interface PlacesTable {
  id: string;
  organization_id: string;
  name: string;
  address: string;
  description: string;
  removed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SpecialistsTable {
  id: string;
  organization_id: string;
  name: string;
  specialty: string;
  phone: string | null;
  user_id: string | null;
  time_zone: string | null;
  /** The WorkingHours document of the specialist's stream (src/events/scheduling/specialist.ts). */
  working_hours: ColumnType<unknown, string | null, string | null>;
  removed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AppointmentsTable {
  id: string;
  organization_id: string;
  specialist_id: string;
  place_id: string | null;
  client_id: string;
  day: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  time_zone: string;
  status: 'pending' | 'confirmed' | 'completed' | 'cancelled' | 'no_show';
  service: string;
  /** Both null when no price is set (a client's own booking, or staff left it empty). */
  cost_amount: Int8 | null;
  cost_currency: string | null;
  cancel_reason: string | null;
  cancelled_by: ColumnType<{ kind: string; id?: string } | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PlaceRow = Selectable<PlacesTable>;
export type SpecialistRow = Selectable<SpecialistsTable>;
export type AppointmentRow = Selectable<AppointmentsTable>;
