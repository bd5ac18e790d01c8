import type { EventStore, Position } from './port.js';

/** How far a reader at some position is behind the head of the log. */
export interface Distance {
  /** Events after the position (an estimate past the adapter's counting limit). */
  readonly events: number;
  /** How long the oldest of those events has waited since it was recorded; 0 when there are none. */
  readonly seconds: number;
}

/** Measures a reader's distance to the head of the log; asked when metrics are scraped, not per event. */
export interface LogDistance {
  behind(from: Position): Promise<Distance>;
}

/**
 * For any adapter (EventStoreDB): reads at most `limit` events after the
 * position and counts them, so past `limit` the count stays at `limit` ("at
 * least"). The oldest waiting event's age is by this process's clock.
 */
export function readingLogDistance(store: EventStore, now: () => Date, limit = 1000): LogDistance {
  return {
    async behind(from) {
      const events = await store.readAll({ from, limit });
      const oldest = events[0];
      return { events: events.length, seconds: oldest ? Math.max(0, (now().getTime() - oldest.createdAt.getTime()) / 1000) : 0 };
    },
  };
}
