import t from 'tap';
import { freshPostgresUrl } from '../helpers/databases.js';
import { migratedProcess } from '../helpers/store-events.js';
import { eventStoreContract } from './contract.js';
import { sealingContract } from './sealing-contract.js';

const url = process.env.EVENTSTORE_URL;

if (!url) {
  // A plan of zero with a reason is reported as a skip, never as a pass.
  t.plan(0, 'EVENTSTORE_URL is not set: EventStoreDB contract not run');
} else {
  // Imported here so this file loads (and is skipped) without an EventStoreDB client.
  const { createEsdbEventStore } = await import('../../src/store/esdb.js');
  // The server is shared: the suite only looks at its own random streams.
  eventStoreContract(t, 'eventstoredb', async (t) => {
    const store = createEsdbEventStore(url);
    t.teardown(() => store.close());
    return { store, isolated: false };
  });
  // The keys live in the service's own database, whichever store holds the log.
  sealingContract(t, 'eventstoredb', async (t) => {
    const raw = createEsdbEventStore(url);
    t.teardown(() => raw.close());
    const { db } = await migratedProcess(t, await freshPostgresUrl(t));
    return { raw, db };
  });
}
