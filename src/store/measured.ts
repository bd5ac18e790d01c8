import { WrongExpectedVersion, type EventStore } from './port.js';

/** How an append ended: written, refused by the stream's expected version, or failed otherwise. */
export type AppendOutcome = 'ok' | 'conflict' | 'error';

/** Told of every append once it has ended; must be cheap, it sits on the path of every command. */
export interface AppendObserver {
  appended(outcome: AppendOutcome, seconds: number, events: number): void;
}

/**
 * The store with every append timed and counted by outcome. Only `append`
 * changes, so a store with more members (the cataloged store) keeps them.
 * It wraps the store commands use, so a conflict is counted as the command
 * sees it, once, and not once per internal retry.
 */
export function measuredAppends<S extends EventStore>(store: S, observer: AppendObserver): S {
  return {
    ...store,
    async append(stream, events, options) {
      const started = performance.now();
      try {
        const result = await store.append(stream, events, options);
        observer.appended('ok', (performance.now() - started) / 1000, events.length);
        return result;
      } catch (error) {
        observer.appended(error instanceof WrongExpectedVersion ? 'conflict' : 'error', (performance.now() - started) / 1000, events.length);
        throw error;
      }
    },
  };
}
