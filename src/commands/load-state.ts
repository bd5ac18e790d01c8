import { asEvent, type Event } from '../events/event.js';
import type { EventStore, Position } from '../store/port.js';
import { fold, type Decider } from './decider.js';
import { foldedStatesOf, type FoldedStates } from './folded-states.js';

/**
 * A stream folded to its decider's state, for reads that decide nothing
 * themselves. Starts from the state folded last time (by a read or a
 * command) and reads only the events since, so it is as fresh as a full read.
 */
export async function loadState<State, E extends Event>(
  store: EventStore,
  decider: Pick<Decider<State, never, E>, 'initialState' | 'evolve'>,
  stream: string,
  folded: FoldedStates = foldedStatesOf(store),
): Promise<{ state: State; version: number; position: Position | undefined }> {
  const cached = folded.get(decider, stream);
  const stored = await store.readStream(stream, { from: cached ? cached.version + 1 : 0 });
  const last = stored.at(-1);
  if (!last) return { state: cached?.state ?? decider.initialState(), version: cached?.version ?? -1, position: cached?.position };
  const state = fold(decider, stored.map((e) => asEvent<E>(e)), cached?.state);
  folded.set(decider, stream, { version: last.version, state, position: last.position });
  return { state, version: last.version, position: last.position };
}
