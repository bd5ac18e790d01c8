import type { Event } from '../events/event.js';

/** A pure aggregate: no I/O, no clock, no randomness (time and ids come in the command). */
export interface Decider<State, Command, E extends Event> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: E) => State;
  readonly decide: (command: Command, state: State) => E[];
}

/** Folds events into `from` (a state folded earlier) or into the initial state. */
export function fold<State, E extends Event>(decider: Pick<Decider<State, never, E>, 'initialState' | 'evolve'>, events: readonly E[], from?: State): State {
  return events.reduce(decider.evolve, from ?? decider.initialState());
}
