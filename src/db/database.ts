import type { ColumnType, Generated, Selectable } from 'kysely';

/** int8 columns come back from the driver as strings (pg) or numbers/bigints (PGlite). */
export type Int8 = ColumnType<string | number | bigint, string | number | bigint, string | number | bigint>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type Json<T> = ColumnType<T, string, string>;

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

/** A key that encrypts one owner's personal data in events (src/store/personal-keys.ts); `key` is null once erased. */
export interface PersonalKeysTable {
  owner: string;
  /** base64, 32 bytes. */
  key: string | null;
  created_at: Timestamp;
  erased_at: Timestamp | null;
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
  /** The W3C trace context the job continues (JobOptions.traceparent); null without tracing. */
  traceparent: string | null;
}

/**
 * Every table, as kysely types it: the service's own here (the log, checkpoints,
 * credentials, codes, quotas, jobs); each capability adds its read models'
 * tables beside its projection (src/projections/<capability>/tables.ts).
 */
export interface Database {
  jobs: JobsTable;
  streams: StreamsTable;
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  projection_parked_events: ProjectionParkedEventsTable;
  credentials: CredentialsTable;
  refresh_tokens: RefreshTokensTable;
  code_challenges: CodeChallengesTable;
  quotas: QuotasTable;
  login_failures: LoginFailuresTable;
  personal_keys: PersonalKeysTable;
}

