import type { Event } from '../events/event.js';
import type { EventStore, Position } from '../store/port.js';
import type { Decider } from './decider.js';

export interface Folded<State> {
  readonly version: number;
  readonly state: State;
  /** Position of the stream's last event. */
  readonly position: Position;
}

type Evolving<State, E extends Event> = Pick<Decider<State, never, E>, 'initialState' | 'evolve'>;

/**
 * The last state each decider folded for a stream, with its version, so a
 * command reads only the events appended since (by anyone: the stream read
 * from `version + 1` sees them, and the expected version still decides). A
 * miss costs the full read it always did; the least recently used streams are
 * dropped past `limit`. Deciders' evolve never mutates a state, so sharing
 * one between commands is safe.
 */
export class FoldedStates {
  private readonly entries = new Map<string, Folded<unknown>>();
  private readonly deciderIds = new WeakMap<object, number>();
  private nextDeciderId = 1;

  // A schedule day's state grows with its bookings: a thousand streams keep this to tens of MB at worst, inside the heap cap of npm start.
  constructor(private readonly limit = 1_000) {}

  get<State, E extends Event>(decider: Evolving<State, E>, stream: string): Folded<State> | undefined {
    const key = this.key(decider, stream);
    const folded = this.entries.get(key);
    if (folded) {
      // Re-inserting moves the entry to the end of the map's order: most recently used.
      this.entries.delete(key);
      this.entries.set(key, folded);
    }
    return folded as Folded<State> | undefined;
  }

  set<State, E extends Event>(decider: Evolving<State, E>, stream: string, folded: Folded<State>): void {
    const key = this.key(decider, stream);
    this.entries.delete(key);
    this.entries.set(key, folded);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(decider: object, stream: string): void {
    this.entries.delete(this.key(decider, stream));
  }

  private key(decider: object, stream: string): string {
    let id = this.deciderIds.get(decider);
    if (id === undefined) this.deciderIds.set(decider, (id = this.nextDeciderId++));
    return `${id}:${stream}`;
  }
}

const byStore = new WeakMap<EventStore, FoldedStates>();

/** The folded states of one store's streams, shared by its command handler and its reads; they live as long as the store. */
export function foldedStatesOf(store: EventStore): FoldedStates {
  let folded = byStore.get(store);
  if (!folded) byStore.set(store, (folded = new FoldedStates()));
  return folded;
}
