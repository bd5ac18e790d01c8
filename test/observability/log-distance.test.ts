import { test } from 'tap';
import { readingLogDistance } from '../../src/store/log-distance.js';
import { START } from '../../src/store/port.js';
import { postgresLogDistance } from '../../src/store/postgres-distance.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { counted, migratedProcess, visible } from '../helpers/store-events.js';

test('the distance to the head of the log, counted on PostgreSQL and read ahead for any adapter', async (t) => {
  const { db, store } = await migratedProcess(t, await freshPostgresUrl(t));
  const empty = { events: 0, seconds: 0 };
  t.same(await postgresLogDistance(db).behind(START), empty, 'an empty log: nothing behind');
  t.same(await readingLogDistance(store, () => new Date()).behind(START), empty);

  const first = await store.append('counted-a', [counted(1)], { expectedVersion: 'no_stream' });
  await store.append('counted-b', [counted(2), counted(3)], { expectedVersion: 'no_stream' });
  const head = await visible(store, (await store.append('counted-a', [counted(4)], { expectedVersion: 0 })).position);

  const counting = await postgresLogDistance(db).behind(START);
  t.equal(counting.events, 4, 'PostgreSQL counts every event after the position');
  t.ok(counting.seconds >= 0, 'and the oldest one has waited since it was recorded');
  t.equal((await postgresLogDistance(db).behind(first.position)).events, 3);
  t.same(await postgresLogDistance(db).behind(head), empty, 'at the head: caught up');
  t.equal((await postgresLogDistance(db, 2).behind(START)).events, 4, 'past its counting limit it estimates from the sequence');

  const reading = readingLogDistance(store, () => new Date(Date.now() + 60_000));
  t.equal((await reading.behind(first.position)).events, 3, 'reading ahead counts the same');
  t.ok((await reading.behind(first.position)).seconds >= 59, 'its age is by the given clock');
  t.same(await reading.behind(head), empty);
  t.equal((await readingLogDistance(store, () => new Date(), 2).behind(START)).events, 2, 'and stops at its limit ("at least")');
});
