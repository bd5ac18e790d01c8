import { ANY, NO_STREAM, START as ESDB_START, STREAM_EXISTS, StreamNotFoundError, type AppendExpectedRevision, type ReadPosition } from '@eventstore/db-client';
import { comparePositions, START, type EventMetadata, type ExpectedVersion, type Position, type StoredEvent } from './port.js';

// Between the EventStoreDB client's shapes and the port's: positions,
// expected revisions, recorded events.

/** The fields we use of the client's RecordedEvent (JSON and binary alike). */
export interface Recorded {
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
export interface Resolved {
  readonly event?: Recorded | undefined;
}

export const isStart = (p: Position): boolean => comparePositions(p, START) === 0;
export const fromPosition = (p: Position): ReadPosition => (isStart(p) ? ESDB_START : { commit: p.commit, prepare: p.prepare });

// readAll has no server-side filter in this client, and subscribeToAll's
// excludeSystemEvents() filters on type only: $-streams ($$meta, $ce-...) are dropped here too.
export const isUserEvent = (e: Recorded): boolean => !e.type.startsWith('$') && !e.streamId.startsWith('$');

export function toRevision(expected: ExpectedVersion): AppendExpectedRevision {
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
export function toStored(resolved: Resolved): StoredEvent | undefined {
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

export const isStreamNotFound = (error: unknown): boolean =>
  error instanceof StreamNotFoundError || (error as { type?: unknown } | null)?.type === 'stream-not-found';
