import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Timestamp } from '../../db/database.js';

// The tables of this capability's read models: people's accounts as they see them, and organizations' records of their clients.
// Written only by its projections; made by the dated migrations in src/db/migrations/.

declare module '../../db/database.js' {
  interface Database {
    client_accounts: ClientAccountsTable;
    client_records: ClientRecordsTable;
  }
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

export type ClientAccountRow = Selectable<ClientAccountsTable>;
export type ClientRecordRow = Selectable<ClientRecordsTable>;
