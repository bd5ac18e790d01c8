import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { placeStream } from '../../src/events/scheduling/place.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';
import { migratedProcess, systemMetadata } from '../helpers/store-events.js';

// The operator's view of parked events: status counts them, `parked` lists
// them, `retry` replays the projection so they are met again in order.

t.test('cli: projections status, parked and retry', async (t) => {
  const url = await freshPostgresUrl(t);
  const { db, store } = await migratedProcess(t, url);
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-parked-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { DATABASE_URL: url, DATA_DIR: dataDir };
  const organizationId = randomUUID();
  const [poison, good] = [randomUUID(), randomUUID()];
  const place = (placeId: string, name: string | null) => ({ type: 'PlaceCreated', data: { placeId, organizationId, name, address: '', description: '', createdAt: '2026-11-29T10:00:00.000Z' }, metadata: systemMetadata() });
  // Written with the raw store, as a bug or an old release might have.
  await store.append(placeStream(poison), [place(poison, null)], { expectedVersion: 'no_stream' });
  await store.append(placeStream(good), [place(good, 'Room')], { expectedVersion: 'no_stream' });

  const retried = await runCli(t, ['projections', 'retry', 'places'], env);
  t.equal(retried.code, 0, `exit code 0 ${retried.stderr}`);
  t.match(retried.stderr, new RegExp(`places: parked PlaceCreated .* in ${placeStream(poison)}: null value in column "name"`), 'each parked event is reported');
  t.match(retried.stdout, /^places rebuilt from 2 events in [\d.]+ s, 1 parked$/m);
  t.same((await db.selectFrom('places').select('id').execute()).map((r) => r.id), [good], 'the rest was applied');

  const status = await runCli(t, ['projections', 'status'], env);
  t.match(status.stdout, /^places\tread model\t\d+\/\d+\t0\t0\t1$/m, 'caught up by the retry, one parked');
  t.match(status.stdout, /^organizations\tread model\t0\/0\t2\t\d+\t0$/m, 'never run: the whole log behind');

  const listed = await runCli(t, ['projections', 'parked', 'places'], env);
  t.equal(listed.code, 0);
  const lines = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  t.match(lines, [{ projection: 'places', stream: placeStream(poison), type: 'PlaceCreated', version: 0, error: /null value/ }]);

  const again = await runCli(t, ['projections', 'retry', 'places'], env);
  t.equal(again.code, 0);
  t.equal((await db.selectFrom('projection_parked_events').selectAll().execute()).length, 1, 'still failing, parked once, not twice');

  t.equal((await runCli(t, ['projections', 'retry'], env)).code, 64, 'retry names its projections');
  t.equal((await runCli(t, ['projections', 'parked', 'nope'], env)).code, 64, 'an unknown projection is refused');
});
