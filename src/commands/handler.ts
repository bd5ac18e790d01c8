import { setTimeout as sleep } from 'node:timers/promises';
import type { Event } from '../events/event.js';
import { WrongExpectedVersion, type EventMetadata, type EventStore, type Position } from '../store/port.js';
import type { Decider } from './decider.js';
import { DomainError } from './errors.js';
import { foldedStatesOf, type FoldedStates } from './folded-states.js';
import { loadState } from './load-state.js';

export interface Handled<State, E extends Event> {
  readonly state: State;
  readonly events: readonly E[];
  /** Version of the stream after the command (-1: still no stream). */
  readonly version: number;
  /** Position of the last appended event; undefined when nothing was appended. */
  readonly position: Position | undefined;
}

export type CommandHandler = <State, Command, E extends Event>(
  decider: Decider<State, Command, E>,
  stream: string,
  command: Command,
  metadata: EventMetadata,
) => Promise<Handled<State, E>>;

export interface HandlerOptions {
  readonly maxAttempts?: number;
  readonly random?: () => number;
  /** Folded states kept between commands; by default the store's own, shared with loadState. */
  readonly folded?: FoldedStates;
}

/**
 * Load, fold, decide, append with the expected version. Commands on one
 * stream are queued inside this process so they rarely conflict; a conflict
 * with another process is retried, after a jittered pause, on fresh state.
 */
export function createCommandHandler(store: EventStore, options: HandlerOptions = {}): CommandHandler {
  const maxAttempts = options.maxAttempts ?? 8;
  const random = options.random ?? Math.random;
  const queues = new Map<string, Promise<unknown>>();
  const folded = options.folded ?? foldedStatesOf(store);

  function serialized<T>(stream: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(stream) ?? Promise.resolve();
    const result = previous.then(work, work);
    const settled = result.then(() => undefined, () => undefined);
    queues.set(stream, settled);
    void settled.then(() => {
      if (queues.get(stream) === settled) queues.delete(stream);
    });
    return result;
  }

  // A command first decides on the state this process folded last, without
  // reading: the append's expected version proves that state current, and a
  // refused append means another process wrote, so the missed events are read
  // and the command decided again, at once. A decision that appends nothing
  // (a refusal, or nothing to do) proves nothing, so it is checked the same way.
  return (decider, stream, command, metadata) =>
    serialized(stream, async () => {
      let trustCache = true;
      for (let attempt = 1; ; ) {
        const cached = trustCache ? folded.get(decider, stream) : undefined;
        const { state, version } = cached ?? (await loadState(store, decider, stream, folded));
        let events;
        try {
          events = decider.decide(command, state);
        } catch (error) {
          if (!cached) throw error;
          trustCache = false;
          continue;
        }
        if (events.length === 0) {
          if (!cached) return { state, events, version, position: undefined };
          trustCache = false;
          continue;
        }
        try {
          const appended = await store.append(
            stream,
            events.map((e) => ({ type: e.type, data: e.data, metadata })),
            { expectedVersion: version === -1 ? 'no_stream' : version },
          );
          const next = events.reduce(decider.evolve, state);
          folded.set(decider, stream, { version: appended.version, state: next, position: appended.position });
          return { state: next, events, version: appended.version, position: appended.position };
        } catch (error) {
          if (!(error instanceof WrongExpectedVersion)) throw error;
          if (cached) {
            trustCache = false;
            continue;
          }
          if (attempt >= maxAttempts) throw new DomainError('conflict', 'The resource was changed by another request; try again.');
          await sleep(Math.round(random() * 10 * 2 ** Math.min(attempt, 6)));
          attempt++;
        }
      }
    });
}
