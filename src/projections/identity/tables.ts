import type { Generated, Selectable } from 'kysely';
import type { Timestamp } from '../../db/database.js';

// The tables of this capability's read models: staff users, as they see their profile and as organizations list them.
// Written only by its projections; made by the dated migrations in src/db/migrations/.

declare module '../../db/database.js' {
  interface Database {
    users: UsersTable;
  }
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

export type UserRow = Selectable<UsersTable>;
