/**
 * The event store port. Two adapters (PostgreSQL/PGlite and EventStoreDB)
 * implement it and pass one contract suite (test/store/contract.ts).
 *
 * Positions are pairs, as in EventStoreDB: `commit` orders transactions and
 * `prepare` orders events inside one. On PostgreSQL `commit` is the appending
 * transaction id, which is what lets a reader stop below the oldest
 * transaction still in flight and never skip an event committed late.
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export const START: Position = Object.freeze({ commit: 0n, prepare: 0n });

export function comparePositions(a: Position, b: Position): -1 | 0 | 1 {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** The later of two positions; undefined when neither is set (nothing was appended). */
export function laterPosition(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a || !b) return a ?? b;
  return comparePositions(a, b) >= 0 ? a : b;
}

export function formatPosition(p: Position): string {
  return `${p.commit}/${p.prepare}`;
}

export function parsePosition(text: string): Position | undefined {
  const match = /^(\d{1,20})\/(\d{1,20})$/.exec(text);
  if (!match) return undefined;
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}

/** `no_stream`: must not exist; `stream_exists`: must exist; `any`: no check; n: its last event has version n. */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

export interface Actor {
  readonly kind: 'client' | 'user' | 'admin' | 'system' | 'anonymous';
  readonly id?: string;
}

export interface EventMetadata {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId: string;
  readonly requestId?: string;
  /** Why a platform admin acted on someone else's account (the trust model records who and why). */
  readonly reason?: string;
  /**
   * The W3C trace context (`traceparent` header value) of the span that wrote
   * the event, when tracing is on: whoever applies the event continues that
   * trace (docs/tracing.md).
   */
  readonly traceparent?: string;
  /** Set by the store: whose key encrypts the event's personal fields (src/events/personal.ts). */
  readonly keyOwner?: string;
  /** Set by the store: the event's hash, chained to the previous event of its stream (src/events/chain.ts). */
  readonly hash?: string;
}

export interface NewEvent {
  /** Uuid; the adapter generates one when absent. */
  readonly id?: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface StoredEvent {
  readonly id: string;
  readonly stream: string;
  /** Zero-based version of the event inside its stream. */
  readonly version: number;
  readonly position: Position;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly createdAt: Date;
}

export interface AppendResult {
  /** Version of the last appended event (zero-based). */
  readonly version: number;
  readonly position: Position;
}

export interface ReadStreamOptions {
  /** First version to read (inclusive); for backwards reads, the version to start from. */
  readonly from?: number;
  readonly direction?: 'forwards' | 'backwards';
  readonly limit?: number;
}

export interface ReadAllOptions {
  /** Events strictly after this position. */
  readonly from: Position;
  readonly limit: number;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this position. */
  readonly from: Position;
  /** Called with batches in global order; the next batch waits for the returned promise. */
  readonly onEvents: (events: readonly StoredEvent[]) => Promise<void>;
  readonly batchSize?: number;
  /** Called when reading or onEvents fails; the subscription stops. */
  readonly onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Stops after the batch in hand (if any) has been handled. */
  close(): Promise<void>;
  /** Resolves when the subscription stopped, by close() or by an error. */
  readonly done: Promise<void>;
}

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], options: { expectedVersion: ExpectedVersion }): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  subscribe(options: SubscribeOptions): Subscription;
  /** Position of the last event readers can see now, or START. */
  headPosition(): Promise<Position>;
  /** Throws when the store cannot be reached (readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Whether a stream at `actual` (-1: none) meets the expectation: one rule for every adapter. */
export function expectationHolds(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === -1;
  if (expected === 'stream_exists') return actual >= 0;
  return actual === expected;
}

export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedVersion,
    /** Current version, -1 when the stream does not exist, undefined when unknown. */
    readonly actual: number | undefined,
  ) {
    super(`Wrong expected version on stream ${stream}: expected ${String(expected)}, actual ${actual === undefined ? 'unknown' : actual}`);
  }
}
