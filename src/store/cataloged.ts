import { randomUUID } from 'node:crypto';
import type { Catalogue } from '../events/catalogue.js';
import { eventHash } from '../events/chain.js';
import { chainHeads } from './chain-heads.js';
import { openPersonal, sealPersonal } from './personal-data.js';
import type { PersonalKeys } from './personal-keys.js';
import { tracedAppend } from '../observability/store-tracing.js';
import { WrongExpectedVersion, type EventStore, type NewEvent, type StoredEvent } from './port.js';

/** An append refused before it reached the log: an event the code should never have made. */
export class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
  constructor(
    readonly stream: string,
    readonly eventType: string,
    readonly failure: string,
  ) {
    super(`Refused to append ${eventType} to ${stream}: ${failure}`);
  }
}

export interface CatalogedEventStore extends EventStore {
  /** The log as it was written (decrypted, not upcast), for the one reader that looks for legacy events as such (the trust-model migration). */
  readonly recorded: EventStore;
  /** The log exactly as the adapter holds it, ciphertext and hashes: what `audit verify` checks. */
  readonly raw: EventStore;
  readonly keys: PersonalKeys;
  /** What the store checks, encrypts and upcasts by. */
  readonly catalogue: Catalogue;
}

/** How often an 'any' or 'stream_exists' append is retried when another append to the stream wins the race for the chain's next link. */
const ANY_RETRIES = 50;

/**
 * The store as the rest of the code uses it, whichever adapter holds the log
 * (so both carry the same bytes):
 * - on append, every event is checked against its type's schema, its
 *   personal fields are encrypted with their owner's key, and it is chained
 *   by hash to the previous event of its stream;
 * - on read (streams, the log, subscriptions), personal fields are decrypted
 *   ("[erased]" once the key is gone) and every event comes out at its
 *   type's current version, so deciders and projections see only today's events.
 */
export function catalogedEventStore(store: EventStore, catalogue: Catalogue, keys: PersonalKeys): CatalogedEventStore {
  const heads = chainHeads(store);

  async function seal(event: NewEvent): Promise<NewEvent & { id: string }> {
    const id = event.id ?? randomUUID();
    const declared = catalogue.personalOf(event.type);
    if (!declared) return { ...event, id };
    const data = event.data as Record<string, unknown>;
    const owner = declared.owner(data);
    return { id, type: event.type, data: sealPersonal(data, declared, owner, await keys.forWriting(owner)), metadata: { ...event.metadata, keyOwner: owner } };
  }

  async function opened(events: StoredEvent[]): Promise<StoredEvent[]> {
    heads.saw(events);
    const owners = events.flatMap((event) => (event.metadata.keyOwner ? [event.metadata.keyOwner] : []));
    if (owners.length === 0) return events;
    const found = await keys.find(owners);
    return events.map((event) => {
      const owner = event.metadata.keyOwner;
      return owner ? { ...event, data: openPersonal(event.data, owner, found.get(owner)) } : event;
    });
  }

  // The projectors of a process mostly read the same batch of the log (the
  // PostgreSQL adapter hands them one shared array): it is decrypted once for all.
  const openedBatches = new WeakMap<readonly StoredEvent[], Promise<StoredEvent[]>>();
  function openedOnce(events: readonly StoredEvent[]): Promise<StoredEvent[]> {
    let batch = openedBatches.get(events);
    if (!batch) openedBatches.set(events, (batch = opened([...events])));
    return batch;
  }

  const current = (events: StoredEvent[]) => events.map((event) => catalogue.current(event));

  const recorded: EventStore = {
    // Traced (a span, and the trace context stamped on the events) when tracing is on.
    append: tracedAppend(async (stream, events, options) => {
      for (const event of events) {
        const why = catalogue.failure(event);
        if (why !== undefined) throw new InvalidEvent(stream, event.type, why);
      }
      if (events.length === 0) return store.append(stream, events, options);
      const sealed = await Promise.all(events.map(seal));
      for (let attempt = 0; ; attempt++) {
        const head = await heads.before(stream, options.expectedVersion);
        let previous = head.hash;
        const chained = sealed.map((event, i) => {
          const hash = eventHash(previous, { ...event, stream, version: head.version + 1 + i });
          previous = hash;
          return { ...event, metadata: { ...event.metadata, hash } };
        });
        try {
          const result = await store.append(stream, chained, { expectedVersion: head.version === -1 ? 'no_stream' : head.version });
          heads.appended(stream, { version: result.version, hash: previous });
          return result;
        } catch (error) {
          heads.forget(stream);
          const retry = error instanceof WrongExpectedVersion && (options.expectedVersion === 'any' || options.expectedVersion === 'stream_exists') && attempt < ANY_RETRIES;
          if (!retry) throw error instanceof WrongExpectedVersion ? new WrongExpectedVersion(stream, options.expectedVersion, error.actual) : error;
        }
      }
    }),
    readStream: async (stream, options) => opened(await store.readStream(stream, options)),
    readAll: async (options) => opened(await store.readAll(options)),
    subscribe: (options) => store.subscribe({ ...options, onEvents: async (events) => options.onEvents(await openedOnce(events)) }),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };

  return {
    ...recorded,
    recorded,
    raw: store,
    keys,
    catalogue,
    readStream: async (stream, options) => current(await recorded.readStream(stream, options)),
    readAll: async (options) => current(await recorded.readAll(options)),
    subscribe: (options) => recorded.subscribe({ ...options, onEvents: (events) => options.onEvents(current([...events])) }),
  };
}
