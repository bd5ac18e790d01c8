import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { StoredEvent } from '../store/port.js';

/**
 * A read model: the event types it reads and how each changes its rows.
 * `apply` runs inside the batch's transaction, which also moves the
 * checkpoint; it must only use `trx`.
 */
export interface Projection {
  readonly name: string;
  readonly canHandle: readonly string[];
  readonly apply: (trx: Transaction<Database>, events: readonly StoredEvent[]) => Promise<void>;
  /**
   * A read model sets this: an event it cannot apply (for a reason other than
   * the database being unreachable) is parked and the others applied
   * (docs/projections.md). Without it every failure is retried from the
   * checkpoint, as a reactor needs: its failures are its queue's (Redis down,
   * a timeout), and a job must not be skipped.
   */
  readonly parkUnappliable?: boolean;
  /** Empties its tables before a rebuild from position zero. */
  readonly reset: (trx: Transaction<Database>) => Promise<void>;
}
