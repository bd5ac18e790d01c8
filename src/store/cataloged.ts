import type { Catalogue } from '../events/catalogue.js';
import type { EventStore } from './port.js';

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
  /** The log as it was written, for the one reader that looks for legacy events as such (the trust-model migration). */
  readonly recorded: EventStore;
}

/**
 * The store as the rest of the code uses it, whichever adapter holds the log:
 * every event of an append is checked against its type's schema before any
 * of it is written, and every event read (streams, the log, subscriptions)
 * comes out at its type's current version, so deciders and projections see
 * only today's events (src/events/catalogue.ts).
 */
export function catalogedEventStore(store: EventStore, catalogue: Catalogue): CatalogedEventStore {
  const current = catalogue.current.bind(catalogue);
  return {
    recorded: store,
    append(stream, events, options) {
      for (const event of events) {
        const why = catalogue.failure(event);
        if (why !== undefined) return Promise.reject(new InvalidEvent(stream, event.type, why));
      }
      return store.append(stream, events, options);
    },
    readStream: async (stream, options) => (await store.readStream(stream, options)).map(current),
    readAll: async (options) => (await store.readAll(options)).map(current),
    subscribe: (options) => store.subscribe({ ...options, onEvents: (events) => options.onEvents(events.map(current)) }),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
