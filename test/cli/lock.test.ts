import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { LOCK_FILE, lockEmbeddedDatabase } from '../../src/cli/lock.js';
import { runCli } from '../helpers/cli.js';
import { freshPgliteDir, freshPostgresUrl } from '../helpers/databases.js';

// The embedded database (PGlite) is opened by one process at a time: the CLI
// refuses while `npm start` holds it (DATA_DIR/pglite.lock), and takes over
// a lock whose holder died.

const lockModule = fileURLToPath(new URL('../../src/cli/lock.js', import.meta.url));
const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** Another process that holds the lock, as a running service would, until it is killed. */
async function holder(t: Test, dataDir: string): Promise<ChildProcess> {
  const code = `const { lockEmbeddedDatabase } = await import(${JSON.stringify(lockModule)});
await lockEmbeddedDatabase(${JSON.stringify(dataDir)}, 'npm start');
process.stdout.write('held\\n');
setInterval(() => undefined, 1 << 30);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  t.equal(line.toString().trim(), 'held');
  return child;
}

const exists = async (path: string) => (await stat(path).catch(() => undefined)) !== undefined;

t.test('the CLI and a second service refuse the embedded database while another process holds it, and take over a stale lock', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-lock-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const service = await holder(t, dataDir);

  const refused = await runCli(t, ['projections', 'status'], env);
  t.equal(refused.code, 75, 'EX_TEMPFAIL: try again later');
  t.match(refused.stderr, `in use by process ${service.pid} (npm start)`, 'the holder is named by pid');
  t.match(refused.stderr, /stop that process[\s\S]*set DATABASE_URL/, 'and what to do is said');
  t.equal(refused.stdout, '');
  t.notOk(await exists(join(dataDir, 'pglite')), 'the database was not opened (not even created)');

  const second = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env, PORT: '39917' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let secondErr = '';
  second.stderr.on('data', (chunk: Buffer) => (secondErr += chunk.toString()));
  const [secondCode] = (await once(second, 'exit')) as [number | null];
  t.equal(secondCode, 75, 'a second npm start on the same DATA_DIR is refused too');
  t.match(secondErr, `in use by process ${service.pid}`);

  // Killed: no chance to remove its lock, which names a pid that is gone.
  service.kill('SIGKILL');
  await once(service, 'exit');
  t.match(JSON.parse(await readFile(join(dataDir, LOCK_FILE), 'utf8')), { pid: service.pid }, 'the stale lock is still there');
  await freshPgliteDir(t, join(dataDir, 'pglite'));
  const after = await runCli(t, ['projections', 'status'], env);
  t.equal(after.code, 0, `a stale lock is taken over ${after.stderr}`);
  t.match(after.stdout, /^client-accounts\tread model\t/m);
  t.notOk(await exists(join(dataDir, LOCK_FILE)), 'and released when the command is done');
});

t.test('with PostgreSQL the lock is not consulted: it serves many clients', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-lock-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await holder(t, dataDir);
  const result = await runCli(t, ['projections', 'status'], { DATA_DIR: dataDir, DATABASE_URL: await freshPostgresUrl(t) });
  t.equal(result.code, 0, result.stderr);
});

t.test('an unreadable lock file (a holder that died while writing it) is taken over; the lock is released only by its holder', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cli-lock-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await writeFile(join(dataDir, LOCK_FILE), '{"pid":');
  const lock = await lockEmbeddedDatabase(dataDir, 'test');
  t.match(JSON.parse(await readFile(lock.path, 'utf8')), { pid: process.pid, holder: 'test' });
  // Someone else's lock now (as after a takeover): releasing ours must not remove theirs.
  await writeFile(lock.path, JSON.stringify({ pid: 1, holder: 'other' }));
  await lock.release();
  t.ok(await exists(lock.path), "another holder's lock is left alone");
});
