import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { eventCatalogue } from '../../src/compose.js';
import { recordIdFor } from '../../src/events/clients/client-record.js';
import type { EventMetadata, EventStore, NewEvent } from '../../src/store/port.js';
import { createPostgresEventStore } from '../../src/store/postgres.js';
import { catalogedEventStore, InvalidEvent } from '../../src/store/cataloged.js';
import { personalKeys } from '../../src/store/personal-keys.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { migratedProcess } from '../helpers/store-events.js';

const metadata: EventMetadata = { actor: { kind: 'user', id: 'u1' }, correlationId: 'c', causationId: 'c' };
const placeUpdated = (changes: object, meta: object = metadata): NewEvent => ({
  type: 'PlaceUpdated',
  data: { placeId: 'p1', organizationId: 'o1', changes, updatedAt: '2026-01-01T00:00:00.000Z' },
  metadata: meta as EventMetadata,
});

async function stores(t: Test): Promise<{ raw: EventStore; checked: EventStore }> {
  const { db } = await migratedProcess(t, await freshPostgresUrl(t));
  const raw = createPostgresEventStore(db, { pollIntervalMs: 20 });
  t.teardown(() => raw.close());
  return { raw, checked: catalogedEventStore(raw, eventCatalogue, personalKeys(db)) };
}

/** The refusal, which must be an InvalidEvent naming the type and saying why. */
async function refusal(t: Test, append: Promise<unknown>): Promise<InvalidEvent> {
  const error = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(error instanceof InvalidEvent, 'refused as an invalid event');
  return error as InvalidEvent;
}

t.test('an event that matches its schema is appended', async (t) => {
  const { raw, checked } = await stores(t);
  const stream = `place-${randomUUID()}`;
  await checked.append(stream, [placeUpdated({ name: 'Room 2' })], { expectedVersion: 'any' });
  t.same((await raw.readStream(stream)).map((e) => e.data), [placeUpdated({ name: 'Room 2' }).data]);
});

t.test('a field the schema does not name is refused, with its path, and nothing of the append is written', async (t) => {
  const { raw, checked } = await stores(t);
  const stream = `place-${randomUUID()}`;
  const error = await refusal(t, checked.append(stream, [placeUpdated({ name: 'ok' }), placeUpdated({ no_such_column: 'x' })], { expectedVersion: 'any' }));
  t.equal(error.eventType, 'PlaceUpdated');
  t.match(error.message, /PlaceUpdated/);
  t.match(error.message, /\/changes\/no_such_column/);
  t.notMatch(error.message, /"x"/, 'never the value');
  t.same(await raw.readStream(stream), [], 'not even the valid event before it');
});

t.test('a top-level field moved into an event (organization_id beside the changes) is refused', async (t) => {
  const { checked } = await stores(t);
  const error = await refusal(t, checked.append(`place-${randomUUID()}`, [placeUpdated({ organizationId: 'another-org' })], { expectedVersion: 'any' }));
  t.match(error.message, /\/changes\/organizationId/);
});

t.test('a value of the wrong type is refused with its path', async (t) => {
  const { checked } = await stores(t);
  const cost = { type: 'AppointmentCostChanged', data: { appointmentId: 'a', organizationId: 'o', cost: { amount: '1500.00', currency: 'RUB' }, changedAt: 'now' }, metadata };
  const error = await refusal(t, checked.append(`appointment-${randomUUID()}`, [cost], { expectedVersion: 'any' }));
  t.match(error.message, /\/cost\/amount/);
});

t.test('an unknown event type, a legacy one included, is refused naming it', async (t) => {
  const { checked } = await stores(t);
  for (const type of ['NoSuchEvent', 'ClientJoinedOrganization', 'Counted']) {
    const error = await refusal(t, checked.append(`x-${randomUUID()}`, [{ type, data: {}, metadata }], { expectedVersion: 'any' }));
    t.equal(error.eventType, type);
    t.match(error.message, /unknown event type/);
  }
});

t.test('metadata is checked too: an unknown actor kind or an extra field is refused', async (t) => {
  const { checked } = await stores(t);
  const kind = await refusal(t, checked.append(`place-${randomUUID()}`, [placeUpdated({ name: 'a' }, { ...metadata, actor: { kind: 'root' } })], { expectedVersion: 'any' }));
  t.match(kind.message, /metadata \/actor\/kind/);
  const extra = await refusal(t, checked.append(`place-${randomUUID()}`, [placeUpdated({ name: 'a' }, { ...metadata, password: 'x' })], { expectedVersion: 'any' }));
  t.match(extra.message, /metadata \/password/);
});

t.test('events already in the log are read at their current version, never checked against today’s schema', async (t) => {
  const { raw, checked } = await stores(t);
  const stream = `client-${randomUUID()}`;
  // A version-1 registration (no schemaVersion, no links) written before the schema moved on.
  const legacy = { clientId: 'c1', phone: '+79990000000', profile: { firstName: 'A' }, passwordSet: false, registeredAt: '2025-01-01T00:00:00.000Z' };
  await raw.append(stream, [{ type: 'ClientRegistered', data: legacy, metadata }], { expectedVersion: 'no_stream' });
  t.same((await checked.readStream(stream)).map((e) => e.data), [{ ...legacy, schemaVersion: 2, profile: { links: {}, firstName: 'A' } }], 'upcast on read');
  t.same((await raw.readStream(stream)).map((e) => e.data), [legacy], 'the log itself is untouched');
  const error = await refusal(t, checked.append(stream, [{ type: 'ClientRegistered', data: legacy, metadata }], { expectedVersion: 0 }));
  t.match(error.message, /ClientRegistered/, 'but the same event is not appended anew');
});

t.test('every way of reading gives today’s events: a stream, the log, a subscription; a legacy type reads as its successor', async (t) => {
  const { raw, checked } = await stores(t);
  const head = await raw.headPosition();
  const stream = `client-${randomUUID()}`;
  const joined = { clientId: 'c1', organizationId: 'o1', joinedAt: '2025-01-02T00:00:00.000Z' };
  await raw.append(stream, [{ type: 'ClientJoinedOrganization', data: joined, metadata }], { expectedVersion: 'no_stream' });
  const expected = { type: 'ClientLinkedToRecord', data: { clientId: 'c1', organizationId: 'o1', recordId: recordIdFor('o1', 'c1'), linkedAt: joined.joinedAt } };
  const [fromStream] = await checked.readStream(stream);
  t.match(fromStream, { ...expected, stream, version: 0, metadata }, 'a stream, with where and who kept');
  t.match((await checked.readAll({ from: head, limit: 10 })).filter((e) => e.stream === stream), [expected], 'the log');
  const delivered = await new Promise<unknown>((resolve, reject) => {
    const subscription = checked.subscribe({
      from: head,
      onEvents: async (events) => {
        const mine = events.find((e) => e.stream === stream);
        if (mine) {
          resolve(mine);
          void subscription.close();
        }
      },
      onError: reject,
    });
  });
  t.match(delivered, expected, 'a subscription');
});
