import { sql } from 'kysely';
import type { EventMetadata, Position, StoredEvent } from './port.js';

// How the PostgreSQL adapter reads rows of `events` (shared by appends and reads).

export interface EventRow {
  commit: string;
  prepare: string;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  created_at: Date | string;
}

export interface PositionRow {
  commit: string;
  prepare: string;
}

// xid8 and int8 are read as text: drivers disagree on their JS type and numbers lose precision.
export const columns = sql`transaction_id::text AS commit, global_position::text AS prepare, event_id, stream_id, version, type, data, metadata, created_at`;

// Readers only see transactions older than every transaction still in flight: an
// append that took its sequence values early but commits late then cannot be
// jumped over, because nothing at or after its transaction id is visible until it ends.
export const visible = sql`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

export const toPosition = (row: PositionRow): Position => ({ commit: BigInt(String(row.commit)), prepare: BigInt(String(row.prepare)) });

export function toStored(row: EventRow): StoredEvent {
  return {
    id: row.event_id,
    stream: row.stream_id,
    version: row.version,
    position: toPosition(row),
    type: row.type,
    data: row.data,
    metadata: row.metadata as EventMetadata,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  };
}
