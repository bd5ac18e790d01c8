import { eventHash, GENESIS } from '../events/chain.js';
import { WrongExpectedVersion, type EventStore, type ExpectedVersion, type StoredEvent } from './port.js';

/** The last event of a stream as the chain needs it: its version (-1: no stream) and hash. */
export interface ChainHead {
  readonly version: number;
  readonly hash: string;
}

const MAX_REMEMBERED = 10_000;

/** The hash of each event of a stream, computed from the first (for streams begun before events carried one). */
export function chainOf(events: readonly StoredEvent[]): string[] {
  let previous = GENESIS;
  return events.map((event) => (previous = eventHash(previous, event)));
}

/**
 * Where a stream's chain ends, for the next append to continue it. Heads
 * seen in reads and appends are remembered (a command reads its stream just
 * before appending), so the usual append costs no extra read; a stale head
 * is harmless, since the append is made against its version and fails if
 * another append came first.
 */
export function chainHeads(raw: EventStore) {
  const heads = new Map<string, ChainHead>();

  function remember(stream: string, head: ChainHead): void {
    const known = heads.get(stream);
    if (known && known.version >= head.version) return;
    if (heads.size >= MAX_REMEMBERED) heads.delete(heads.keys().next().value!);
    heads.set(stream, head);
  }

  /** The head at `version` (the stream's last event when undefined), read from the stream. */
  async function read(stream: string, version: number | undefined): Promise<ChainHead | undefined> {
    const [last] = await raw.readStream(stream, version === undefined ? { direction: 'backwards', limit: 1 } : { from: version, limit: 1 });
    if (!last) return undefined;
    if (last.metadata.hash) return { version: last.version, hash: last.metadata.hash };
    // Written before events were chained: the chain is computed from the stream's start.
    const events = await raw.readStream(stream, { limit: last.version + 1 });
    return { version: last.version, hash: chainOf(events).at(-1)! };
  }

  return {
    /** Remembers the heads a read saw (the last event read of each stream that carries a hash). */
    saw(events: readonly StoredEvent[]): void {
      for (const event of events) if (event.metadata.hash) remember(event.stream, { version: event.version, hash: event.metadata.hash });
    },
    appended: remember,
    forget: (stream: string) => void heads.delete(stream),
    /**
     * The head the append continues, as a version to expect: the expected
     * version itself, or, for 'any' and 'stream_exists', the stream's current
     * one (the caller retries 'any' when another append wins).
     */
    async before(stream: string, expected: ExpectedVersion): Promise<ChainHead> {
      if (expected === 'no_stream' || expected === -1) return { version: -1, hash: GENESIS };
      if (typeof expected === 'number') {
        const known = heads.get(stream);
        if (known?.version === expected) return known;
        // A missing event means the expectation fails: the append against it says so.
        return (await read(stream, expected)) ?? { version: expected, hash: GENESIS };
      }
      const head = await read(stream, undefined);
      if (head) return head;
      if (expected === 'stream_exists') throw new WrongExpectedVersion(stream, expected, -1);
      return { version: -1, hash: GENESIS };
    },
  };
}
