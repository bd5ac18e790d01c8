import { BACKWARDS, END, EventStoreDBClient, WrongExpectedVersionError, jsonEvent, type JSONType } from '@eventstore/db-client';
import { toRevision } from './esdb-events.js';
import { headPosition, lastOfStream, readAll, readStream } from './esdb-reads.js';
import { subscribeToAll } from './esdb-subscription.js';
import { START, WrongExpectedVersion, expectationHolds, type AppendResult, type EventStore, type ExpectedVersion, type NewEvent, type Subscription } from './port.js';

const PING_TIMEOUT_MS = 5_000;

export function createEsdbEventStore(connectionString: string): EventStore {
  const client = EventStoreDBClient.connectionString(connectionString);
  const subscriptions = new Set<Subscription>();
  return {
    append: (stream, events, { expectedVersion }) => append(client, stream, events, expectedVersion),
    readStream: (stream, options) => readStream(client, stream, options),
    readAll: (options) => readAll(client, options),
    subscribe(options) {
      const handle = subscribeToAll(client, options);
      subscriptions.add(handle);
      const forget = (): boolean => subscriptions.delete(handle);
      void handle.done.then(forget, forget);
      return handle;
    },
    headPosition: () => headPosition(client),
    ping: () => ping(client),
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      await client.dispose();
    },
  };
}

async function append(client: EventStoreDBClient, stream: string, events: readonly NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
  if (events.length === 0) return check(client, stream, expectedVersion);
  const data = events.map((e) =>
    jsonEvent({ id: e.id, type: e.type, data: (e.data === undefined ? null : e.data) as JSONType, metadata: e.metadata }),
  );
  try {
    const result = await client.appendToStream(stream, data, { expectedRevision: toRevision(expectedVersion) });
    const version = Number(result.nextExpectedRevision);
    const position = result.position ?? (await lastOfStream(client, stream))?.position ?? START;
    return { version, position: { commit: position.commit, prepare: position.prepare } };
  } catch (error) {
    if (error instanceof WrongExpectedVersionError || (error as { type?: unknown } | null)?.type === 'wrong-expected-version') {
      const actual = (error as WrongExpectedVersionError).actualVersion;
      throw new WrongExpectedVersion(stream, expectedVersion, typeof actual === 'bigint' ? Number(actual) : -1);
    }
    throw error;
  }
}

/** Appending nothing only checks: it returns the current version (-1: no stream) and its last event's position (START when none). */
async function check(client: EventStoreDBClient, stream: string, expected: ExpectedVersion): Promise<AppendResult> {
  const last = await lastOfStream(client, stream);
  const actual = last?.version ?? -1;
  if (!expectationHolds(expected, actual)) throw new WrongExpectedVersion(stream, expected, actual);
  return { version: actual, position: last?.position ?? START };
}

async function ping(client: EventStoreDBClient): Promise<void> {
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
}
