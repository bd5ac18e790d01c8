import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';

// `npm run cli -- --help`, and every command's own --help: answered from
// the usage alone, before any configuration is read or database opened.

t.test('the command line answers --help, for itself and for each command', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-help-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir };

  const all = await runCli(t, ['--help'], env);
  t.equal(all.code, 0, '--help succeeds');
  for (const command of ['migrate', 'projections rebuild', 'admin create', 'clients history', 'audit verify']) t.match(all.stdout, command, `it lists ${command}`);
  t.same(await readdir(dataDir), [], 'and opens nothing: no database is made under DATA_DIR');

  const group = await runCli(t, ['projections', '--help'], env);
  t.equal(group.code, 0);
  t.match(group.stdout, /projections status[\s\S]*projections rebuild[\s\S]*projections parked[\s\S]*projections retry/, 'a group lists its commands');
  t.notMatch(group.stdout, /audit verify|admin create/, 'and only those');

  const one = await runCli(t, ['audit', 'verify', '-h'], env);
  t.equal(one.code, 0);
  t.match(one.stdout, /audit verify \[stream\][\s\S]*that does not verify/, 'a command shows its whole entry');
  t.notMatch(one.stdout, /audit anchor/);

  const spelled = await runCli(t, ['help', 'admin'], env);
  t.match(spelled.stdout, /admin create --email E --password P[\s\S]*--first-name F/, '`help <command>` is the same');

  const unknown = await runCli(t, ['--bogus'], env);
  t.equal(unknown.code, 64, 'an unknown option is a usage error');
  t.match(unknown.stderr, /Unknown option '--bogus'[\s\S]*Usage: npm run cli/, 'named, with the usage');
});
