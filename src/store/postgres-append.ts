import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { EVENTS_CHANNEL } from './postgres-listener.js';
import { toPosition, type PositionRow } from './postgres-rows.js';
import { expectationHolds, START, WrongExpectedVersion, type AppendResult, type ExpectedVersion, type NewEvent } from './port.js';

// Appending to PostgreSQL (and PGlite): one statement claims the stream's
// versions and inserts the events.

export function assertValid(expected: ExpectedVersion): void {
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < -1)) throw new RangeError(`Invalid expected version ${expected}`);
}

/** Current version of a stream (-1 when missing) and the position of its last event (START when none). */
async function streamHead(db: Kysely<Database>, stream: string): Promise<AppendResult> {
  const { rows } = await sql<{ version: number; commit: string | null; prepare: string | null }>`
    SELECT s.version, e.transaction_id::text AS commit, e.global_position::text AS prepare
    FROM streams s LEFT JOIN events e ON e.stream_id = s.stream_id AND e.version = s.version
    WHERE s.stream_id = ${stream}`.execute(db);
  const row = rows[0];
  if (!row) return { version: -1, position: START };
  return { version: row.version, position: row.commit !== null && row.prepare !== null ? toPosition({ commit: row.commit, prepare: row.prepare }) : START };
}

// The claim both checks the expected version and claims the new versions: the
// streams row lock serializes concurrent appenders, and a loser re-evaluates the
// predicate against the winner's committed row (READ COMMITTED) and matches nothing.
function claimVersions(stream: string, expected: ExpectedVersion, count: number): RawBuilder<unknown> {
  if (expected === 'no_stream' || expected === -1) {
    return sql`INSERT INTO streams (stream_id, version) VALUES (${stream}, ${count - 1}) ON CONFLICT DO NOTHING RETURNING version`;
  }
  if (expected === 'stream_exists') return sql`UPDATE streams SET version = version + ${count} WHERE stream_id = ${stream} RETURNING version`;
  if (expected === 'any') {
    return sql`INSERT INTO streams (stream_id, version) VALUES (${stream}, ${count - 1})
      ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + ${count} RETURNING version`;
  }
  return sql`UPDATE streams SET version = ${expected + count} WHERE stream_id = ${stream} AND version = ${expected} RETURNING version`;
}

function isStreamVersionConflict(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'events_stream_version';
}

/** Zero events: only the version check; returns the current version and the position of the stream's last event (START when none). */
export async function checkVersion(db: Kysely<Database>, stream: string, expected: ExpectedVersion): Promise<AppendResult> {
  assertValid(expected);
  const head = await streamHead(db, stream);
  if (!expectationHolds(expected, head.version)) throw new WrongExpectedVersion(stream, expected, head.version);
  return head;
}

/**
 * Claim and insert in one statement, so an append is one round trip and, on its
 * own, its own transaction. The events travel as one JSON array (a text
 * parameter, which every driver passes through untouched); when the claim
 * matches nothing the insert has no rows and the statement returns none.
 */
export async function appendEvents(db: Kysely<Database>, stream: string, events: readonly NewEvent[], expected: ExpectedVersion, notify: boolean): Promise<AppendResult> {
  const batch = JSON.stringify(events.map((event) => ({ id: event.id ?? randomUUID(), type: event.type, data: event.data ?? null, metadata: event.metadata })));
  let rows: (PositionRow & { version: number })[];
  try {
    ({ rows } = await sql<PositionRow & { version: number }>`
      WITH claimed AS (${claimVersions(stream, expected, events.length)}),
      appended AS (
        INSERT INTO events (event_id, stream_id, version, type, data, metadata)
        SELECT (e.event->>'id')::uuid, ${stream}, claimed.version - ${events.length} + e.ord::integer, e.event->>'type', e.event->'data', e.event->'metadata'
        FROM claimed, jsonb_array_elements(${batch}::text::jsonb) WITH ORDINALITY AS e(event, ord)
        ORDER BY e.ord
        RETURNING version, transaction_id, global_position)
      SELECT version, transaction_id::text AS commit, global_position::text AS prepare${notify ? sql`, pg_notify(${EVENTS_CHANNEL}, '')::text AS notified` : sql``}
      FROM appended ORDER BY global_position DESC LIMIT 1`.execute(db));
  } catch (error) {
    // Only reachable when events were written without going through streams.
    if (isStreamVersionConflict(error)) throw new WrongExpectedVersion(stream, expected, undefined);
    throw error;
  }
  const last = rows[0];
  if (!last) throw new WrongExpectedVersion(stream, expected, (await streamHead(db, stream)).version);
  return { version: last.version, position: toPosition(last) };
}

/**
 * The store's append, inside a transaction the caller owns: for callers that must
 * write something else atomically with the events (and for tests that hold one open).
 */
export async function appendInTransaction(
  db: Transaction<Database>,
  stream: string,
  events: readonly NewEvent[],
  options: { expectedVersion: ExpectedVersion; notify?: boolean },
): Promise<AppendResult> {
  const expected = options.expectedVersion;
  assertValid(expected);
  if (events.length === 0) return checkVersion(db, stream, expected);
  return appendEvents(db, stream, events, expected, options.notify ?? false);
}
