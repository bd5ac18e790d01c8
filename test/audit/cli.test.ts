import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { logFixture } from './log-fixture.js';

// The operator's commands, run as the built CLI: `audit verify [stream]`
// and `audit anchor`.

t.test('cli: audit verify, audit anchor, and a rewritten event named with exit code 1', async (t) => {
  const f = await logFixture(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-audit-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { DATABASE_URL: f.url, DATA_DIR: dataDir };

  const whole = await runCli(t, ['audit', 'verify'], env);
  t.equal(whole.code, 0, `exit code 0 ${whole.stderr}`);
  t.match(whole.stdout, /^log verified: 9 events in 5 streams, 1 anchors$/m);
  t.match(whole.stdout, new RegExp(`^last anchor: ${f.anchor.digest} \\(up to ${f.anchor.upTo}, 2026-11-30T12:00:00.000Z\\)$`, 'm'));
  t.match(whole.stdout, /^head: \d+\/\d+$/m);

  const anchored = await runCli(t, ['audit', 'anchor'], env);
  t.equal(anchored.code, 0);
  t.match(anchored.stdout, /^anchored 2 events up to \d+\/\d+: [0-9a-f]{64}$/m, 'the anchor before and the stream after it');
  t.match((await runCli(t, ['audit', 'verify'], env)).stdout, /^log verified: 10 events in 5 streams, 2 anchors$/m);

  const one = await runCli(t, ['audit', 'verify', f.a], env);
  t.equal(one.code, 0);
  t.match(one.stdout, new RegExp(`^stream ${f.a} verified: 3 events, last hash [0-9a-f]{64}$`, 'm'));
  t.equal((await runCli(t, ['audit', 'verify', 'place-none'], env)).code, 1, 'a stream that does not exist does not verify');

  await sql`UPDATE events SET data = jsonb_set(data, '{changes,name}', '"Room X"') WHERE stream_id = ${f.b} AND version = 1`.execute(f.db);
  const failed = await runCli(t, ['audit', 'verify'], env);
  t.equal(failed.code, 1);
  t.match(failed.stdout, new RegExp(`^NOT VERIFIED after \\d+ events: stream ${f.b} version 1 \\(event ${f.ids[f.b]![1]}, PlaceUpdated, at \\d+/\\d+\\): data or metadata altered`, 'm'));
});
