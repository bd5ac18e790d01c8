import { excludeSystemEvents, type AllStreamResolvedEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { fromPosition, isStart, isUserEvent, toStored } from './esdb-events.js';
import { comparePositions, type StoredEvent, type SubscribeOptions, type Subscription } from './port.js';

/**
 * A catch-up-then-live subscription to `$all` without system events, in
 * batches: the stream is read in paused mode, so the server is not pulled
 * from while onEvents runs (backpressure).
 */
export function subscribeToAll(client: EventStoreDBClient, { from, onEvents, batchSize = 100, onError }: SubscribeOptions): Subscription {
  const size = Math.max(1, batchSize);
  const sub = client.subscribeToAll({ fromPosition: fromPosition(from), filter: excludeSystemEvents() }, { highWaterMark: size });
  let stopping = false;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Paused mode with read(): we take what is buffered and the stream stops
  // pulling from the server while onEvents runs (backpressure).
  sub.on('readable', signal);
  const finish = (): void => {
    ended = true;
    signal();
  };
  sub.on('end', finish);
  sub.on('close', finish);
  sub.on('error', (error: Error) => {
    failure ??= error;
    signal();
  });

  const drain = (): StoredEvent[] | undefined => {
    const batch: StoredEvent[] = [];
    let raw = 0;
    for (let item: AllStreamResolvedEvent | null; raw < size && (item = sub.read() as AllStreamResolvedEvent | null) !== null; raw++) {
      const e = item.event;
      if (!e || !isUserEvent(e)) continue;
      // The server starts at or after `from` depending on version; the port wants strictly after.
      if (!isStart(from) && comparePositions(e.position, from) <= 0) continue;
      const stored = toStored(item);
      if (stored) batch.push(stored);
    }
    return raw === 0 ? undefined : batch;
  };

  const run = async (): Promise<void> => {
    try {
      while (!stopping) {
        const batch = drain();
        if (batch === undefined) {
          if (failure !== undefined) throw failure;
          if (ended) throw new Error('EventStoreDB subscription ended unexpectedly');
          await new Promise<void>((resolve) => (wake = resolve));
        } else if (batch.length > 0) {
          await onEvents(batch);
        }
      }
    } catch (error) {
      // Reads stop once `stopping` is set, so anything caught here is a real failure (stream or onEvents).
      onError?.(error);
    } finally {
      stopping = true;
      await sub.unsubscribe().catch(() => undefined);
      sub.destroy();
    }
  };

  const done = run();
  const handle: Subscription = {
    done,
    async close() {
      stopping = true;
      signal();
      await done;
    },
  };
  return handle;
}
