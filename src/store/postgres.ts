import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { appendEvents, assertValid, checkVersion } from './postgres-append.js';
import { EVENTS_CHANNEL, type NotificationListener } from './postgres-listener.js';
import { columns, toPosition, toStored, visible, type EventRow, type PositionRow } from './postgres-rows.js';
import { formatPosition, START, type EventStore, type ReadAllOptions, type StoredEvent, type SubscribeOptions, type Subscription } from './port.js';

export { appendInTransaction } from './postgres-append.js';
export { EVENTS_CHANNEL, pgNotificationListener, type NotificationListener } from './postgres-listener.js';

export interface PostgresEventStoreOptions {
  /** Live subscriptions poll this often (default 50ms); polling alone is correct, notifications only cut latency. */
  readonly pollIntervalMs?: number;
  /** Appends send pg_notify(EVENTS_CHANNEL). Off by default: NOTIFY serializes commits across the cluster. */
  readonly notify?: boolean;
  /** Wakes this store's live subscriptions as soon as an append (from any process with `notify`) commits. */
  readonly listener?: NotificationListener;
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
