import { toDomainEvent } from '../events/catalogue.js';
import type { Event } from '../events/event.js';
import type { EventStore, Position } from '../store/port.js';
import { fold, type Decider } from './decider.js';

/** A stream folded to its decider's state, for reads that decide nothing themselves. */
export async function loadState<State, E extends Event>(
  store: EventStore,
  decider: Pick<Decider<State, never, E>, 'initialState' | 'evolve'>,
  stream: string,
): Promise<{ state: State; position: Position | undefined }> {
  const stored = await store.readStream(stream);
  return { state: fold(decider, stored.map((e) => toDomainEvent<E>(e))), position: stored.at(-1)?.position };
}
