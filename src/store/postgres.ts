import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database.js';
import { formatPosition, START, WrongExpectedVersion, type AppendResult, type EventMetadata, type EventStore, type ExpectedVersion } from './port.js';
import type { NewEvent, Position, ReadAllOptions, StoredEvent, SubscribeOptions, Subscription } from './port.js';

/** Channel appends notify on (when `notify` is set) and live subscriptions listen on. */
export const EVENTS_CHANNEL = 'events_appended';

/** Source of LISTEN notifications. A PGlite instance is one as is; for pg use pgNotificationListener. */
export interface NotificationListener {
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}

export interface PostgresEventStoreOptions {
  /** Live subscriptions poll this often (default 50ms); polling alone is correct, notifications only cut latency. */
  readonly pollIntervalMs?: number;
  /** Appends send pg_notify(EVENTS_CHANNEL). Off by default: NOTIFY serializes commits across the cluster. */
  readonly notify?: boolean;
  /** Wakes this store's live subscriptions as soon as an append (from any process with `notify`) commits. */
  readonly listener?: NotificationListener;
}

interface EventRow {
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

interface PositionRow {
  commit: string;
  prepare: string;
}

// xid8 and int8 are read as text: drivers disagree on their JS type and numbers lose precision.
const columns = sql`transaction_id::text AS commit, global_position::text AS prepare, event_id, stream_id, version, type, data, metadata, created_at`;

// Readers only see transactions older than every transaction still in flight: an
// append that took its sequence values early but commits late then cannot be
// jumped over, because nothing at or after its transaction id is visible until it ends.
const visible = sql`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

const toPosition = (row: PositionRow): Position => ({ commit: BigInt(String(row.commit)), prepare: BigInt(String(row.prepare)) });

function toStored(row: EventRow): StoredEvent {
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

function assertValid(expected: ExpectedVersion): void {
  if (typeof expected === 'number' && (!Number.isInteger(expected) || expected < -1)) throw new RangeError(`Invalid expected version ${expected}`);
}

function satisfies(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === -1;
  if (expected === 'stream_exists') return actual >= 0;
  return actual === expected;
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
async function checkVersion(db: Kysely<Database>, stream: string, expected: ExpectedVersion): Promise<AppendResult> {
  assertValid(expected);
  const head = await streamHead(db, stream);
  if (!satisfies(expected, head.version)) throw new WrongExpectedVersion(stream, expected, head.version);
  return head;
}

/**
 * Claim and insert in one statement, so an append is one round trip and, on its
 * own, its own transaction. The events travel as one JSON array (a text
 * parameter, which every driver passes through untouched); when the claim
 * matches nothing the insert has no rows and the statement returns none.
 */
async function appendEvents(db: Kysely<Database>, stream: string, events: readonly NewEvent[], expected: ExpectedVersion, notify: boolean): Promise<AppendResult> {
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

/** A listener that opens one dedicated pg.Client per subscription (pooled connections cannot LISTEN reliably). */
export function pgNotificationListener(connectionString: string): NotificationListener {
  return {
    async listen(channel, onNotify) {
      const client = new pg.Client({ connectionString });
      // A lost listener connection only costs latency: subscriptions keep polling.
      client.on('error', () => undefined);
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      return () => client.end();
    },
  };
}

export function createPostgresEventStore(db: Kysely<Database>, options: PostgresEventStoreOptions = {}): EventStore {
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const subscriptions = new Set<Subscription>();
  // Live subscriptions of this store, woken when an append through it commits:
  // in one process a projector sees a command's events without waiting a poll.
  const nudges = new Set<() => void>();

  async function readAll({ from, limit }: ReadAllOptions): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const { rows } = await sql<EventRow>`
      SELECT ${columns} FROM events
      WHERE (transaction_id, global_position) > (${String(from.commit)}::text::xid8, ${String(from.prepare)}::bigint) AND ${visible}
      ORDER BY transaction_id, global_position
      LIMIT ${limit}`.execute(db);
    return rows.map(toStored);
  }

  // Every append nudges every live subscription, and the projectors of one
  // process mostly sit at the same position: one read of the log then serves
  // all of them instead of one per projector. Only subscriptions share, and
  // only a read already in flight: one that joins late may miss an event
  // committed meanwhile, but that event's nudge has already marked it to read again.
  const sharedReads = new Map<string, Promise<StoredEvent[]>>();
  function sharedReadAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const key = `${formatPosition(options.from)}:${options.limit}`;
    let read = sharedReads.get(key);
    if (!read) {
      read = readAll(options);
      sharedReads.set(key, read);
      const forget = () => void sharedReads.delete(key);
      read.then(forget, forget);
    }
    return read;
  }

  function subscribe(request: SubscribeOptions): Subscription {
    const batchSize = request.batchSize ?? 100;
    let stopped = false;
    // Set by a notification that arrives while a batch is being read or handled,
    // so that the next pause is skipped instead of losing the wake-up.
    let notified = false;
    let wake: (() => void) | undefined;
    const nudge = (): void => {
      notified = true;
      wake?.();
    };
    const pause = (): Promise<void> =>
      new Promise((resolve) => {
        if (stopped || notified) return resolve();
        const timer = setTimeout(() => {
          wake = undefined;
          resolve();
        }, pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });

    const run = async (): Promise<void> => {
      let unlisten: (() => Promise<void>) | undefined;
      try {
        if (options.listener) unlisten = await options.listener.listen(EVENTS_CHANNEL, nudge);
        let from = request.from;
        while (!stopped) {
          notified = false;
          const batch = await sharedReadAll({ from, limit: batchSize });
          if (stopped) break;
          if (batch.length > 0) {
            await request.onEvents(batch);
            from = batch[batch.length - 1]!.position;
          }
          if (batch.length < batchSize) await pause();
        }
      } catch (error) {
        try {
          request.onError?.(error);
        } catch {
          // The subscription stops either way; a throwing handler must not leave done rejected.
        }
      } finally {
        stopped = true;
        await unlisten?.().catch(() => undefined);
      }
    };

    const done = run();
    nudges.add(nudge);
    void done.then(() => nudges.delete(nudge));
    const subscription: Subscription = {
      done,
      close() {
        stopped = true;
        wake?.();
        return done;
      },
    };
    subscriptions.add(subscription);
    void done.then(() => subscriptions.delete(subscription));
    return subscription;
  }

  return {
    async append(stream, events, { expectedVersion }) {
      assertValid(expectedVersion);
      // Zero events write nothing, so they need no transaction (nor a pooled connection held for one).
      if (events.length === 0) return checkVersion(db, stream, expectedVersion);
      const result = await appendEvents(db, stream, events, expectedVersion, options.notify ?? false);
      for (const nudge of nudges) nudge();
      return result;
    },

    // No visibility rule here: the streams row lock serializes a stream's appends,
    // so its versions commit in order and a stream read never has a hole to skip.
    async readStream(stream, { from, direction = 'forwards', limit } = {}) {
      if (limit !== undefined && limit <= 0) return [];
      const backwards = direction === 'backwards';
      const { rows } = await sql<EventRow>`
        SELECT ${columns} FROM events
        WHERE stream_id = ${stream} AND ${backwards ? sql`version <= ${from ?? 2147483647}` : sql`version >= ${from ?? 0}`}
        ORDER BY version ${backwards ? sql`DESC` : sql`ASC`}
        ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`.execute(db);
      return rows.map(toStored);
    },

    readAll,
    subscribe,

    async headPosition() {
      const { rows } = await sql<PositionRow>`
        SELECT transaction_id::text AS commit, global_position::text AS prepare FROM events
        WHERE ${visible} ORDER BY transaction_id DESC, global_position DESC LIMIT 1`.execute(db);
      return rows[0] ? toPosition(rows[0]) : START;
    },

    async ping() {
      await sql`SELECT 1`.execute(db);
    },

    // The Kysely instance belongs to the caller, who destroys it after this resolves.
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
    },
  };
}
