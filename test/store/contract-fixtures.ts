import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import {
  WrongExpectedVersion,
  comparePositions,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type Position,
  type StoredEvent,
  type Subscription,
} from '../../src/store/port.js';
import { eventually as waitFor } from '../helpers/waiting.js';

// What both halves of the event store contract (contract.ts, contract-tail.ts) build on.

/** An append whose transaction stays open until commit(). */
export interface HeldAppend {
  commit(): Promise<void>;
}

export interface ContractSubject {
  readonly store: EventStore;
  /**
   * Nothing else writes to this store (a fresh database): the suite then also
   * checks global facts (readAll from START, an empty store's head). A shared
   * EventStoreDB is not isolated: the suite only looks at its own random streams.
   */
  readonly isolated?: boolean;
  /**
   * Appends `events` to `stream` in a transaction on another connection and
   * resolves once they are written, leaving the transaction open. Adapters that
   * cannot interleave transactions (PGlite, EventStoreDB) leave it out and the
   * late-commit test is skipped.
   */
  readonly holdOpenAppend?: (stream: string, events: readonly NewEvent[]) => Promise<HeldAppend>;
}

export type ContractSetup = (t: Test) => Promise<ContractSubject>;

export const newStream = (prefix = 'contract'): string => `${prefix}-${randomUUID()}`;

export function newEvent(type = 'Tested', data: unknown = { n: 1 }, id?: string): NewEvent {
  const metadata = { actor: { kind: 'system' as const }, correlationId: randomUUID(), causationId: randomUUID() };
  return id === undefined ? { type, data, metadata } : { id, type, data, metadata };
}

/** Events with ids chosen here, so that tests can recognise them when read back. */
export const events = (count: number, type = 'Tested'): (NewEvent & { id: string })[] =>
  Array.from({ length: count }, (_, n) => ({ ...newEvent(type, { n }), id: randomUUID() }));

/** Whether `promise` settles within `ms` (without a timer left behind to hold the process open). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until readers can see `position` (a store may lag behind transactions in flight elsewhere). */
export async function waitForHead(store: EventStore, position: Position, timeoutMs = 5000): Promise<Position> {
  const deadline = Date.now() + timeoutMs;
  let head = await store.headPosition();
  while (comparePositions(head, position) < 0 && Date.now() < deadline) {
    await sleep(10);
    head = await store.headPosition();
  }
  return head;
}

export { waitFor };

export interface Collector {
  /** Every event delivered, in delivery order (other writers' too). */
  readonly all: StoredEvent[];
  /** Delivered events of the watched streams, in delivery order. */
  readonly ours: StoredEvent[];
  readonly errors: unknown[];
  readonly subscription: Subscription;
}

/**
 * Subscribes and records what arrives; closes itself at the test's end, or from
 * inside onEvents once `closeAt` events of the watched streams arrived.
 */
export function collect(t: Test, store: EventStore, from: Position, streams: ReadonlySet<string>, options: { batchSize?: number; closeAt?: number } = {}): Collector {
  const collector: Omit<Collector, 'subscription'> & { subscription?: Subscription } = { all: [], ours: [], errors: [] };
  const subscription = store.subscribe({
    from,
    batchSize: options.batchSize,
    onEvents: async (batch) => {
      collector.all.push(...batch);
      collector.ours.push(...batch.filter((e) => streams.has(e.stream)));
      // Not awaited: close() waits for this very batch to be handled.
      if (options.closeAt !== undefined && collector.ours.length >= options.closeAt) void subscription.close();
    },
    onError: (error) => collector.errors.push(error),
  });
  collector.subscription = subscription;
  t.teardown(() => subscription.close());
  return collector as Collector;
}

export async function expectWrongVersion(t: Test, attempt: Promise<unknown>, stream: string, expected: ExpectedVersion, actual: number, what: string): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WrongExpectedVersion)) {
    t.fail(`${what}: WrongExpectedVersion expected`, { found: error });
    return;
  }
  t.equal(error.stream, stream, `${what}: error names the stream`);
  t.same(error.expected, expected, `${what}: error carries the expected version`);
  t.ok(error.actual === undefined || error.actual === actual, `${what}: actual version is ${actual} (or unknown)`, { found: error.actual });
}

/** Each expected event delivered exactly once, in increasing position, each stream in version order. */
export function assertDeliveredOnce(t: Test, delivered: readonly StoredEvent[], expectedIds: readonly string[], what: string): void {
  const ids = delivered.map((e) => e.id);
  t.equal(new Set(ids).size, ids.length, `${what}: no event delivered twice`);
  t.same([...ids].sort(), [...expectedIds].sort(), `${what}: every event delivered`);
  const strictlyIncreasing = delivered.every((e, i) => i === 0 || comparePositions(delivered[i - 1]!.position, e.position) < 0);
  t.ok(strictlyIncreasing, `${what}: delivered in increasing global position`);
  const lastVersion = new Map<string, number>();
  const inVersionOrder = delivered.every((e) => {
    const ok = e.version === (lastVersion.get(e.stream) ?? -1) + 1;
    lastVersion.set(e.stream, e.version);
    return ok;
  });
  t.ok(inVersionOrder, `${what}: each stream's events arrive in version order without gaps`);
}
