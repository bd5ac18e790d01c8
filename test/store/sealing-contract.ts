import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Test } from 'tap';
import { eventCatalogue } from '../../src/compose.js';
import { GENESIS, eventHash } from '../../src/events/chain.js';
import { ERASED } from '../../src/events/personal.js';
import type { Database } from '../../src/db/database.js';
import { catalogedEventStore } from '../../src/store/cataloged.js';
import { chainOf } from '../../src/store/chain-heads.js';
import { personalKeys } from '../../src/store/personal-keys.js';
import type { EventMetadata, EventStore, NewEvent } from '../../src/store/port.js';

// What the store adds on top of any adapter, so the same bytes reach
// PostgreSQL and EventStoreDB: personal fields encrypted before the port,
// and every event chained by hash to the previous one of its stream.

export type SealingSetup = (t: Test) => Promise<{ raw: EventStore; db: Kysely<Database> }>;

const metadata: EventMetadata = { actor: { kind: 'system' }, correlationId: 'c', causationId: 'c' };
const profile = { firstName: 'Ada', lastName: 'Lovelace', patronymic: '', email: 'ada@example.com', birthday: '1815-12-10', sex: null, address: '12 St James Sq', additionalInfo: 'allergic to penicillin', links: { vk: 'vk.com/ada' } };

const registered = (clientId: string): NewEvent => ({
  type: 'ClientRegistered',
  data: { schemaVersion: 2, clientId, phone: '+447700900123', profile, passwordSet: false, registeredAt: '2026-11-30T00:00:00.000Z' },
  metadata,
});
const renamed = (clientId: string, n: number): NewEvent => ({
  type: 'ClientProfileChanged',
  data: { clientId, changes: { lastName: `King ${n}` }, changedAt: '2026-11-30T00:00:00.000Z' },
  metadata,
});

export function sealingContract(t: Test, name: string, setup: SealingSetup): void {
  t.test(`sealing contract: ${name}`, async (t) => {
    t.test('personal fields reach the adapter encrypted, read back in clear, and as [erased] once the key is gone', async (t) => {
      const { raw, db } = await setup(t);
      const store = catalogedEventStore(raw, eventCatalogue, personalKeys(db));
      const clientId = randomUUID();
      const stream = `client-${clientId}`;
      await store.append(stream, [registered(clientId)], { expectedVersion: 'no_stream' });

      const [written] = await raw.readStream(stream);
      const text = JSON.stringify(written!.data);
      for (const secret of ['+447700900123', 'Ada', 'Lovelace', 'ada@example.com', '1815-12-10', 'St James', 'penicillin', 'vk.com/ada']) t.notOk(text.includes(secret), `${secret} is not in the log`);
      t.equal(written!.metadata.keyOwner, clientId, 'the event names whose key encrypts it');
      t.same((await store.readStream(stream))[0]!.data, registered(clientId).data, 'read through the store: as it was appended');

      await store.keys.erase([clientId], new Date());
      const [erased] = await store.readStream(stream);
      const data = erased!.data as { clientId: string; phone: string; profile: typeof profile };
      t.equal(data.clientId, clientId, 'ids are not personal: they stay');
      t.equal(data.phone, ERASED);
      t.same(data.profile, { ...profile, firstName: ERASED, lastName: ERASED, patronymic: ERASED, email: ERASED, birthday: ERASED, address: ERASED, additionalInfo: ERASED, links: { vk: ERASED } }, 'the data keeps its shape');
      t.same(await raw.readStream(stream), [written], 'erasure rewrote nothing: the log and its chain are as they were');
    });

    t.test('every event is chained to the one before it in its stream, across appends and racing writers', async (t) => {
      const { raw, db } = await setup(t);
      const store = catalogedEventStore(raw, eventCatalogue, personalKeys(db));
      const clientId = randomUUID();
      const stream = `client-${clientId}`;
      await store.append(stream, [registered(clientId), renamed(clientId, 0)], { expectedVersion: 'no_stream' });
      await store.append(stream, [renamed(clientId, 1)], { expectedVersion: 1 });
      // Writers that do not say which version they expect race for the next link: none may fork the chain.
      await Promise.all(Array.from({ length: 12 }, (_, n) => store.append(stream, [renamed(clientId, n + 2)], { expectedVersion: 'any' })));

      const written = await raw.readStream(stream);
      t.equal(written.length, 15);
      t.same(written.map((e) => e.metadata.hash), chainOf(written), 'each stored hash is the chain computed from the stream’s start');
      t.equal(written[0]!.metadata.hash, eventHash(GENESIS, written[0]!), 'the first is chained to the genesis');
    });

    t.test('a stream begun before events carried hashes is continued from its computed chain', async (t) => {
      const { raw, db } = await setup(t);
      const store = catalogedEventStore(raw, eventCatalogue, personalKeys(db));
      const stream = `place-${randomUUID()}`;
      const legacy = { type: 'PlaceRemoved', data: { placeId: 'p', organizationId: 'o', removedAt: '2026-01-01T00:00:00.000Z' }, metadata };
      await raw.append(stream, [legacy, legacy], { expectedVersion: 'no_stream' });
      await store.append(stream, [legacy], { expectedVersion: 1 });
      const written = await raw.readStream(stream);
      t.equal(written[2]!.metadata.hash, chainOf(written)[2], 'the new event continues the chain computed over the old ones');
    });
  });
}
