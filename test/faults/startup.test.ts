import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { freshPostgresUrl } from '../helpers/databases.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/waiting.js';

// Started while PostgreSQL is unreachable (a supervisor starting everything
// at once, a database restarting), the service waits for it instead of exiting.

t.test('a process started while PostgreSQL is unreachable waits for it, then serves', async (t) => {
  const url = await freshPostgresUrl(t);
  const proxy = await startTcpProxy(t, { port: Number(new URL(url).port || 5432) });
  proxy.cut();
  const dataDir = await mkdtemp(join(tmpdir(), 'startup-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH, DATA_DIR: dataDir, DATABASE_URL: proxy.via(url), PORT: '0', LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const exited = once(child, 'exit');
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => lines.push(line));
  let gone = false;
  void exited.then(() => (gone = true));
  const seen = (text: string) => () => {
    if (gone) throw new Error(`exited:\n${lines.join('\n')}`);
    return lines.some((l) => l.includes(text)) || undefined;
  };

  await until(seen('a dependency is unreachable at start'), 30_000);
  proxy.restore();
  await until(seen('service started'), 60_000);
  t.pass('started once the database was reachable');

  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  t.equal(code, 0);
});
