import type { Test } from 'tap';
import type { Runtime } from '../../src/compose.js';
import type { EventStore } from '../../src/store/port.js';
import { createPostgresEventStore } from '../../src/store/postgres.js';

/**
 * The runtime's log without the append check (src/store/validated.ts): how a
 * test writes what the service no longer writes (a legacy event, a poison one).
 */
export function rawStore(t: Test, runtime: Pick<Runtime, 'connection'>): EventStore {
  const store = createPostgresEventStore(runtime.connection.db, { pollIntervalMs: 20 });
  t.teardown(() => store.close());
  return store;
}
