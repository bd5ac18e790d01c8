import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type ReadPosition,
  type ReadRevision,
} from '@eventstore/db-client';
import {
  START,
  WrongExpectedVersion,
  comparePositions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type Position,
  type StoredEvent,
  type Subscription,
} from './port.js';

/** The fields we use of the client's RecordedEvent (JSON and binary alike). */
interface Recorded {
  readonly streamId: string;
  readonly id: string;
  readonly isJson: boolean;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: Position | undefined;
}
interface Resolved {
  readonly event?: Recorded | undefined;
}

const PAGE = 256;
const PING_TIMEOUT_MS = 5_000;

const isStart = (p: Position): boolean => comparePositions(p, START) === 0;
const fromPosition = (p: Position): ReadPosition => (isStart(p) ? ESDB_START : { commit: p.commit, prepare: p.prepare });

// readAll has no server-side filter in this client, and subscribeToAll's
// excludeSystemEvents() filters on type only: $-streams ($$meta, $ce-...) are dropped here too.
const isUserEvent = (e: Recorded): boolean => !e.type.startsWith('$') && !e.streamId.startsWith('$');

function toRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  if (expected === 'any') return ANY;
  // -1 is how callers spell "no stream yet"; the server would reject a negative revision.
  return expected === -1 ? NO_STREAM : BigInt(expected);
}

function isMetadata(value: unknown): value is EventMetadata {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && 'actor' in value;
}

/** Undefined for events the port cannot carry: links, binary payloads. */
function toStored(resolved: Resolved): StoredEvent | undefined {
  const e = resolved.event;
  if (e === undefined || !e.isJson) return undefined;
  return {
    id: e.id,
    stream: e.streamId,
    version: Number(e.revision),
    // Servers before 22.6 do not send positions on stream reads; START is the honest "unknown".
    position: e.position ? { commit: e.position.commit, prepare: e.position.prepare } : START,
    type: e.type,
    data: e.data,
    // Events written by other tools may lack our metadata; a system actor keeps readers total.
    metadata: isMetadata(e.metadata) ? e.metadata : { actor: { kind: 'system' }, correlationId: e.id, causationId: e.id },
    createdAt: e.created,
  };
}

const isStreamNotFound = (error: unknown): boolean =>
  error instanceof StreamNotFoundError || (error as { type?: unknown } | null)?.type === 'stream-not-found';

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
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && actual === -1) ||
      (expected === 'stream_exists' && actual >= 0) ||
      expected === actual;
    if (!ok) throw new WrongExpectedVersion(stream, expected, actual);
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

    subscribe({ from, onEvents, batchSize = 100, onError }) {
      const size = Math.max(1, batchSize);
      const sub = client.subscribeToAll({ fromPosition: fromPosition(from), filter: excludeSystemEvents() }, { highWaterMark: size });
      let stopping = false;
      let ended = false;
      let failure: unknown;
      let wake: (() => void) | undefined;
      const signal = (): void => {
        const w = wake;
        wake = undefined;
        w?.();
      };
      // Paused mode with read(): we take what is buffered and the stream stops
      // pulling from the server while onEvents runs (backpressure).
      sub.on('readable', signal);
      const finish = (): void => {
        ended = true;
        signal();
      };
      sub.on('end', finish);
      sub.on('close', finish);
      sub.on('error', (error: Error) => {
        failure ??= error;
        signal();
      });

      const drain = (): StoredEvent[] | undefined => {
        const batch: StoredEvent[] = [];
        let raw = 0;
        for (let item: AllStreamResolvedEvent | null; raw < size && (item = sub.read() as AllStreamResolvedEvent | null) !== null; raw++) {
          const e = item.event;
          if (!e || !isUserEvent(e)) continue;
          // The server starts at or after `from` depending on version; the port wants strictly after.
          if (!isStart(from) && comparePositions(e.position, from) <= 0) continue;
          const stored = toStored(item);
          if (stored) batch.push(stored);
        }
        return raw === 0 ? undefined : batch;
      };

      const run = async (): Promise<void> => {
        try {
          while (!stopping) {
            const batch = drain();
            if (batch === undefined) {
              if (failure !== undefined) throw failure;
              if (ended) throw new Error('EventStoreDB subscription ended unexpectedly');
              await new Promise<void>((resolve) => (wake = resolve));
            } else if (batch.length > 0) {
              await onEvents(batch);
            }
          }
        } catch (error) {
          // Reads stop once `stopping` is set, so anything caught here is a real failure (stream or onEvents).
          onError?.(error);
        } finally {
          stopping = true;
          await sub.unsubscribe().catch(() => undefined);
          sub.destroy();
        }
      };

      const done = run();
      const handle: Subscription = {
        done,
        async close() {
          stopping = true;
          signal();
          await done;
        },
      };
      subscriptions.add(handle);
      const forget = (): boolean => subscriptions.delete(handle);
      void done.then(forget, forget);
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
