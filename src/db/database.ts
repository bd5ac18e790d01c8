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

export interface ClientsTable {
  id: string;
  phone: string;
  email: string | null;
  first_name: string;
  last_name: string;
  patronymic: string;
  birthday: string | null;
  sex: string | null;
  address: string;
  additional_info: string;
  confirmed_phone: boolean;
  registered_at: Timestamp;
  updated_at: Timestamp;
  stream_version: number;
}

export interface Database {
  streams: StreamsTable;
  events: EventsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  credentials: CredentialsTable;
  refresh_tokens: RefreshTokensTable;
  clients: ClientsTable;
}

export type ClientRow = Selectable<ClientsTable>;
