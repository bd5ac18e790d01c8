import type { EventStore, NewEvent } from './port.js';

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

/**
 * The store, checking every event of an append before any of it is written
 * (`failure` says why one does not match its schema, or undefined). Reads
 * are the store's own: events already in the log are read as they are.
 */
export function validatedEventStore(store: EventStore, failure: (event: NewEvent) => string | undefined): EventStore {
  return {
    append(stream, events, options) {
      for (const event of events) {
        const why = failure(event);
        if (why !== undefined) return Promise.reject(new InvalidEvent(stream, event.type, why));
      }
      return store.append(stream, events, options);
    },
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
