import type { Selectable } from 'kysely';
import type { Timestamp } from '../../db/database.js';

// The table of this capability's read model: calendar feeds. Written only by
// its projection; made by the dated migration in src/db/migrations/.

declare module '../../db/database.js' {
  interface Database {
    calendar_feeds: CalendarFeedsTable;
  }
}

export interface CalendarFeedsTable {
  id: string;
  organization_id: string;
  specialist_id: string;
  /** 'none', 'initials' or 'name' (src/events/calendar/feed.ts). */
  client_details: string;
  description: string;
  /** Hex SHA-256 of the URL's token: the URL is found by it, never by the token. */
  token_hash: string;
  created_by_kind: string;
  created_by_id: string | null;
  created_at: Timestamp;
  /** Set once revoked: the URL answers 404. */
  revoked_at: Timestamp | null;
}

export type CalendarFeedRow = Selectable<CalendarFeedsTable>;
