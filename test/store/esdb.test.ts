import t from 'tap';
import { eventStoreContract } from './contract.js';

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
}
