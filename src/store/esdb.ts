import { BACKWARDS, END, EventStoreDBClient, FORWARDS, START as ESDB_START, WrongExpectedVersionError, jsonEvent, type JSONType, type ReadPosition, type ReadRevision } from '@eventstore/db-client';
import { fromPosition, isStart, isStreamNotFound, isUserEvent, toRevision, toStored } from './esdb-events.js';
import { subscribeToAll } from './esdb-subscription.js';
import { START, WrongExpectedVersion, comparePositions, expectationHolds, type AppendResult, type EventStore, type ExpectedVersion, type NewEvent, type Position, type StoredEvent, type Subscription } from './port.js';

const PAGE = 256;
const PING_TIMEOUT_MS = 5_000;

export function createEsdbEventStore(connectionString: string): EventStore {
  const client = EventStoreDBClient.connectionString(connectionString);
  const subscriptions = new Set<Subscription>();

  async function lastOfStream(stream: string): Promise<{ version: number; position: Position } | undefined> {
    try {
      for await (const resolved of client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        const e = resolved.event;
        if (e) return { version: Number(e.revision), position: e.position ?? START };
      }
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
    }
    return undefined;
  }

  /** Appending nothing only checks: it returns the current version (-1: no stream) and its last event's position (START when none). */
  async function check(stream: string, expected: ExpectedVersion): Promise<AppendResult> {
    const last = await lastOfStream(stream);
    const actual = last?.version ?? -1;
    if (!expectationHolds(expected, actual)) throw new WrongExpectedVersion(stream, expected, actual);
    return { version: actual, position: last?.position ?? START };
  }

  return {
    async append(stream, events: readonly NewEvent[], { expectedVersion }) {
      if (events.length === 0) return check(stream, expectedVersion);
      const data = events.map((e) =>
        jsonEvent({ id: e.id, type: e.type, data: (e.data === undefined ? null : e.data) as JSONType, metadata: e.metadata }),
      );
      try {
        const result = await client.appendToStream(stream, data, { expectedRevision: toRevision(expectedVersion) });
        const version = Number(result.nextExpectedRevision);
        const position = result.position ?? (await lastOfStream(stream))?.position ?? START;
        return { version, position: { commit: position.commit, prepare: position.prepare } };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError || (error as { type?: unknown } | null)?.type === 'wrong-expected-version') {
          const actual = (error as WrongExpectedVersionError).actualVersion;
          throw new WrongExpectedVersion(stream, expectedVersion, typeof actual === 'bigint' ? Number(actual) : -1);
        }
        throw error;
      }
    },

    async readStream(stream, options = {}) {
      const backwards = options.direction === 'backwards';
      if (options.limit !== undefined && options.limit <= 0) return [];
      let fromRevision: ReadRevision = backwards ? END : ESDB_START;
      if (options.from !== undefined && options.from >= 0) fromRevision = BigInt(options.from);
      else if (options.from !== undefined && backwards) return [];
      const events: StoredEvent[] = [];
      try {
        const read = client.readStream(stream, {
          fromRevision,
          direction: backwards ? BACKWARDS : FORWARDS,
          maxCount: options.limit ?? Number.MAX_SAFE_INTEGER,
        });
        for await (const resolved of read) {
          const stored = toStored(resolved);
          if (stored) events.push(stored);
        }
      } catch (error) {
        if (isStreamNotFound(error)) return [];
        throw error;
      }
      return events;
    },

    async readAll({ from, limit }) {
      const events: StoredEvent[] = [];
      let cursor = from;
      while (events.length < limit) {
        // ESDB's fromPosition is inclusive and system events are filtered here,
        // so read pages and drop what is at or before the cursor.
        let count = 0;
        let last: Position | undefined;
        for await (const resolved of client.readAll({ fromPosition: fromPosition(cursor), maxCount: PAGE, direction: FORWARDS })) {
          // Consume the whole bounded page rather than break: breaking would leave the gRPC call open.
          count++;
          const e = resolved.event;
          if (!e) continue;
          last = e.position;
          if (!isStart(cursor) && comparePositions(e.position, cursor) <= 0) continue;
          const stored = isUserEvent(e) ? toStored(resolved) : undefined;
          if (stored && events.length < limit) events.push(stored);
        }
        if (count < PAGE || last === undefined || comparePositions(last, cursor) <= 0) break;
        cursor = last;
      }
      return events;
    },

    subscribe(options) {
      const handle = subscribeToAll(client, options);
      subscriptions.add(handle);
      const forget = (): boolean => subscriptions.delete(handle);
      void handle.done.then(forget, forget);
      return handle;
    },

    async headPosition() {
      let cursor: ReadPosition = END;
      for (;;) {
        let count = 0;
        let last: Position | undefined;
        let found: Position | undefined;
        for await (const resolved of client.readAll({ fromPosition: cursor, maxCount: PAGE, direction: BACKWARDS })) {
          count++;
          const e = resolved.event;
          if (!e) continue;
          last = e.position;
          if (cursor !== END && comparePositions(e.position, cursor) >= 0) continue;
          if (found === undefined && isUserEvent(e) && e.isJson) found = { commit: e.position.commit, prepare: e.position.prepare };
        }
        if (found) return found;
        if (count < PAGE || last === undefined || (cursor !== END && comparePositions(last, cursor) >= 0)) return START;
        cursor = last;
      }
    },

    async ping() {
      const read = client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
      let timer: NodeJS.Timeout | undefined;
      const consumed = (async () => {
        for await (const _ of read);
      })();
      // Reads carry no gRPC deadline in this client, so an unreachable node would hang the probe.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`EventStoreDB did not answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      });
      try {
        await Promise.race([consumed, timeout]);
      } catch (error) {
        void read.cancel().catch(() => undefined);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      await client.dispose();
    },
  };
}
