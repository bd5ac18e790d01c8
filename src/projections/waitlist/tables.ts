import type { Selectable } from 'kysely';
import type { Timestamp } from '../../db/database.js';

// The table of this capability's read model: waitlist entries. Written only
// by its projection; made by the dated migration in src/db/migrations/.

declare module '../../db/database.js' {
  interface Database {
    waitlist_entries: WaitlistEntriesTable;
  }
}

export interface WaitlistEntriesTable {
  id: string;
  organization_id: string;
  /** 'account' (a client who joined for themself) or 'record' (staff put a record of theirs on the list). */
  client_kind: string;
  client_id: string;
  service_id: string;
  specialist_id: string | null;
  from_date: string;
  to_date: string;
  from_time: string;
  to_time: string;
  status: string;
  appointment_id: string | null;
  expires_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type WaitlistEntryRow = Selectable<WaitlistEntriesTable>;
