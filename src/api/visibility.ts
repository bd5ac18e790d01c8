import type { Position } from '../store/port.js';
import { NotVisibleYet } from './errors.js';
import type { Dependencies } from './dependencies.js';

/**
 * Waits, bounded, until the read models include a command's events. Past the
 * wait the reply is a 202 naming the id and where to read it: a route that
 * answered from the read model now would answer the state before the change
 * as if it were after it (a stale 2xx).
 */
export async function awaitVisible(
  deps: Pick<Dependencies, 'awaitProjections'>,
  position: Position | undefined,
  projections: readonly string[],
  id: string,
  location: string,
): Promise<void> {
  if (!(await deps.awaitProjections(position, projections))) throw new NotVisibleYet(id, location);
}
