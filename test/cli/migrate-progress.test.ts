import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { appendCounted, migratedProcess } from '../helpers/store-events.js';

// `npm run cli -- migrate` scans the log for the moves it makes once (the
// trust model, the pseudonymous contact streams): off a terminal each scan
// says how far it got, as plain lines with counts (src/cli/progress.ts).

t.test('cli migrate reports each scan of the log with counts of the total', async (t) => {
  const url = await freshPostgresUrl(t);
  const { store } = await migratedProcess(t, url);
  await appendCounted(store, { streams: 3, perStream: 4, chunk: 4 });
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-migrate-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const result = await runCli(t, ['migrate'], { DATABASE_URL: url, DATA_DIR: dataDir });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stderr, /^trust model: scan: 12 of 12 events \(100%\), \d+ events\/s, done in \d+ s$/m, 'the trust model scan, to its end');
  t.match(result.stderr, /^login contacts: scan: (1\d) of \1 events \(100%\), \d+ events\/s, done in \d+ s$/m, 'the contact streams scan, counted after the move to the trust model appended its mark');
  t.notMatch(result.stderr, /\x1b/, 'no terminal control characters on a pipe');
  t.match(result.stdout, 'database is up to date; existing clients moved to the trust model');
});
