import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { ensureCheckpoint } from '../../src/projections/checkpoints.js';
import type { Position } from '../../src/store/port.js';
import { runCli } from '../helpers/cli.js';
import { startRuntime } from '../helpers/runtime.js';
import { counted, openProcess, visible } from '../helpers/store-events.js';

// `projections status` lists what /health/ready lists, the read models and the
// reactors, each with its checkpoint and how far behind the head it is: in
// events, and in seconds since the oldest event it has not applied was recorded.

interface Row {
  name: string;
  kind: string;
  checkpoint: string;
  eventsBehind: number;
  secondsBehind: number;
  parked: number;
}

function rows(stdout: string): Row[] {
  const [header, ...lines] = stdout.trimEnd().split('\n');
  if (header !== 'name\tkind\tcheckpoint\tevents_behind\tseconds_behind\tparked') throw new Error(`unexpected header: ${header}`);
  return lines.map((line) => {
    const [name, kind, checkpoint, eventsBehind, secondsBehind, parked] = line.split('\t');
    return { name: name!, kind: kind!, checkpoint: checkpoint!, eventsBehind: Number(eventsBehind), secondsBehind: Number(secondsBehind), parked: Number(parked) };
  });
}

t.test('projections status: every read model and reactor of /health/ready, with its lag in events and seconds', async (t) => {
  const runtime = await startRuntime(t);
  const ready = await runtime.app.inject({ method: 'GET', url: '/health/ready' });
  const followers = (ready.json() as { projections: { name: string }[] }).projections.map((p) => p.name);
  t.ok(followers.some((name) => name.startsWith('reactor-')), '/health/ready lists reactors');
  await runtime.close();

  const url = runtime.config.databaseUrl!;
  const { db, store } = openProcess(t, url);
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-status-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  // Every follower at the head, then three events it has not seen, recorded an hour ago.
  const head = await store.headPosition();
  const at = async (name: string, position: Position) => {
    await ensureCheckpoint(db, name);
    await db.updateTable('projection_checkpoints').set({ commit_position: String(position.commit), prepare_position: String(position.prepare) }).where('name', '=', name).execute();
  };
  for (const name of followers) await at(name, head);
  const stream = 'counted-status';
  const first = await store.append(stream, [counted(1)], { expectedVersion: 'no_stream' });
  await visible(store, (await store.append(stream, [counted(2), counted(3)], { expectedVersion: 0 })).position);
  await sql`UPDATE events SET created_at = now() - interval '1 hour' WHERE stream_id = ${stream}`.execute(db);
  // One reactor has applied the first of them; one read model was never run.
  const reactor = followers.find((name) => name.startsWith('reactor-'))!;
  const readModel = followers.find((name) => !name.startsWith('reactor-'))!;
  await at(reactor, first.position);
  await db.deleteFrom('projection_checkpoints').where('name', '=', readModel).execute();
  const logSize = Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM events`.execute(db)).rows[0]!.n);

  const result = await runCli(t, ['projections', 'status'], { DATABASE_URL: url, DATA_DIR: dataDir });
  t.equal(result.code, 0, result.stderr);
  const listed = rows(result.stdout);
  t.same(listed.map((r) => r.name).sort(), [...followers].sort(), 'the same followers as /health/ready');
  for (const row of listed) t.equal(row.kind, row.name.startsWith('reactor-') ? 'reactor' : 'read model', `${row.name} is a ${row.kind}`);

  const byName = new Map(listed.map((r) => [r.name, r]));
  const others = listed.filter((r) => r.name !== reactor && r.name !== readModel);
  t.ok(others.length > 0);
  for (const row of others) {
    t.equal(row.eventsBehind, 3, `${row.name}: 3 events behind`);
    t.ok(row.secondsBehind >= 3600 && row.secondsBehind < 3600 + 600, `${row.name}: the oldest of them was recorded an hour ago (${row.secondsBehind} s)`);
  }
  t.equal(byName.get(reactor)?.eventsBehind, 2, 'a reactor that applied one of them: 2 behind');
  t.equal(byName.get(reactor)?.checkpoint, `${first.position.commit}/${first.position.prepare}`);
  t.equal(byName.get(readModel)?.eventsBehind, logSize, 'a read model never run: the whole log behind');
  t.equal(byName.get(readModel)?.checkpoint, '0/0');

  // Caught up: nothing behind, in events or seconds.
  for (const name of followers) await at(name, await store.headPosition());
  const caughtUp = rows((await runCli(t, ['projections', 'status'], { DATABASE_URL: url, DATA_DIR: dataDir })).stdout);
  t.same(caughtUp.map((r) => [r.eventsBehind, r.secondsBehind]), followers.map(() => [0, 0]), 'every follower at the head: 0 events and 0 seconds behind');
});
