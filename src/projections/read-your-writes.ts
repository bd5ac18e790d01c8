import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Position } from '../store/port.js';
import { isAtOrPast, readCheckpoint } from './checkpoints.js';
import type { ProjectionRunner } from './runner.js';

/**
 * Lets a command's reply wait, bounded, until the named read models include
 * its events. A runner in this process signals directly; one in another
 * process is followed through its checkpoint row.
 */
export type AwaitProjections = (position: Position | undefined, projections: readonly string[]) => Promise<boolean>;

export function createAwaitProjections(db: Kysely<Database>, local: readonly ProjectionRunner[], timeoutMs: number): AwaitProjections {
  const byName = new Map(local.map((runner) => [runner.projection.name, runner]));

  async function one(name: string, target: Position, deadline: number): Promise<boolean> {
    const runner = byName.get(name);
    if (runner) {
      const timeout = sleep(Math.max(0, deadline - Date.now()), false, { ref: false });
      return Promise.race([runner.waitFor(target).then(() => true), timeout]);
    }
    for (let pause = 2; Date.now() < deadline; pause = Math.min(pause * 2, 50)) {
      // The command is already written: a database that cannot be read now
      // makes its change not visible yet (a 202), not the request failed (a 5xx the caller might retry).
      const checkpoint = await readCheckpoint(db, name).catch(() => undefined);
      if (checkpoint && isAtOrPast(checkpoint, target)) return true;
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    }
    return false;
  }

  return async (position, projections) => {
    if (!position) return true;
    const deadline = Date.now() + timeoutMs;
    const results = await Promise.all(projections.map((name) => one(name, position, deadline)));
    return results.every(Boolean);
  };
}
