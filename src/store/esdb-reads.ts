import { BACKWARDS, END, FORWARDS, START as ESDB_START, type EventStoreDBClient, type ReadPosition, type ReadRevision } from '@eventstore/db-client';
import { fromPosition, isStart, isStreamNotFound, isUserEvent, toStored } from './esdb-events.js';
import { START, comparePositions, type Position, type ReadAllOptions, type ReadStreamOptions, type StoredEvent } from './port.js';

// The EventStoreDB adapter's reads (esdb.ts assembles the store): one stream,
// $all in pages, and the last position a reader can see.

const PAGE = 256;

export async function lastOfStream(client: EventStoreDBClient, stream: string): Promise<{ version: number; position: Position } | undefined> {
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

export async function readStream(client: EventStoreDBClient, stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
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
}

export async function readAll(client: EventStoreDBClient, { from, limit }: ReadAllOptions): Promise<StoredEvent[]> {
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
}

export async function headPosition(client: EventStoreDBClient): Promise<Position> {
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
}
