// A small log for the audit tests, on its own PostgreSQL database: three
// places' streams written through the cataloged store (hashed), one begun
// before events carried hashes, one anchor, and one stream after it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Test } from 'tap';
import { eventCatalogue } from '../../src/compose.js';
import type { Database } from '../../src/db/database.js';
import type { LogAnchoredData } from '../../src/events/audit/anchors.js';
import { placeStream } from '../../src/events/scheduling/place.js';
import { catalogedEventStore, type CatalogedEventStore } from '../../src/store/cataloged.js';
import { personalKeys } from '../../src/store/personal-keys.js';
import type { NewEvent } from '../../src/store/port.js';
import { anchorLog } from '../../src/workflows/audit/anchor-log.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { migratedProcess, systemMetadata, visible } from '../helpers/store-events.js';

export interface LogFixture {
  readonly url: string;
  readonly db: Kysely<Database>;
  readonly store: CatalogedEventStore;
  /** Stream names, and event ids by stream and version. */
  readonly a: string;
  readonly b: string;
  readonly legacy: string;
  readonly late: string;
  readonly ids: Record<string, string[]>;
  readonly anchor: LogAnchoredData;
}

const organizationId = randomUUID();
const created = (placeId: string): NewEvent & { id: string } => ({
  id: randomUUID(),
  type: 'PlaceCreated',
  data: { placeId, organizationId, name: 'Room', address: 'Main st. 1', description: '', createdAt: '2026-11-30T10:00:00.000Z' },
  metadata: { ...systemMetadata(), actor: { kind: 'user', id: 'u-1' } },
});
const renamed = (placeId: string, name: string): NewEvent & { id: string } => ({
  id: randomUUID(),
  type: 'PlaceUpdated',
  data: { placeId, organizationId, changes: { name }, updatedAt: '2026-11-30T11:00:00.000Z' },
  metadata: { ...systemMetadata(), actor: { kind: 'user', id: 'u-1' } },
});

/** An empty log on its own database, through the store every process uses. */
export async function emptyLog(t: Test): Promise<{ url: string; db: Kysely<Database>; store: CatalogedEventStore }> {
  const url = await freshPostgresUrl(t);
  const { db, store: adapter } = await migratedProcess(t, url);
  return { url, db, store: catalogedEventStore(adapter, eventCatalogue, personalKeys(db)) };
}

export async function logFixture(t: Test): Promise<LogFixture> {
  const { url, db, store } = await emptyLog(t);
  const [pa, pb, pl, pc] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [a, b, legacy, late] = [placeStream(pa), placeStream(pb), placeStream(pl), placeStream(pc)];
  const ids: Record<string, string[]> = { [a]: [], [b]: [], [legacy]: [], [late]: [] };
  const append = async (stream: string, event: NewEvent & { id: string }, through = store as { append: CatalogedEventStore['append'] }) => {
    ids[stream]!.push(event.id);
    return (await through.append(stream, [event], { expectedVersion: 'any' })).position;
  };
  // Written by the adapter itself, as a release before hashing did: no hash.
  await append(legacy, created(pl), store.raw);
  await append(a, created(pa));
  await append(b, created(pb));
  await append(a, renamed(pa, 'Room 2'));
  await append(legacy, renamed(pl, 'Hall'));
  await append(b, renamed(pb, 'Room B'));
  await visible(store, await append(a, renamed(pa, 'Room 3')));
  const anchor = await anchorLog(store, new Date('2026-11-30T12:00:00.000Z'));
  if (!anchor) throw new Error('the fixture was not anchored');
  await visible(store, await append(late, created(pc)));
  return { url, db, store, a, b, legacy, late, ids, anchor };
}
