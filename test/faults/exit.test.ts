import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test as Tap } from 'tap';
import { waitFor } from '../helpers/waiting.js';

// A supervisor reads the service's output through a pipe. It stops reading (it
// hangs, or is being restarted), the service is sent SIGTERM, and the reading
// side goes away while the service shuts down. Whatever happens to its log
// destination, the service exits.

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<unknown[]>;
}

/** The real service (embedded), its stdout piped to this process, as a supervisor runs it. */
async function startService(t: Tap): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'exit-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['dist/src/main.js'], { env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void child.kill('SIGKILL'));
  const exited = once(child, 'exit');

  let output = '';
  const onData = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', onData);
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`exited before listening:\n${output}`)));
  });

  return { child, url, exited };
}

t.test('SIGTERM with the log pipe full and then closed: the process still exits', async (t) => {
  const { child, url, exited } = await startService(t);

  // The reader stops reading: request logs fill the pipe (two lines of some 300 bytes per request, far past what a pipe holds).
  child.stdout!.removeAllListeners('data');
  child.stdout!.pause();
  for (let i = 0; i < 100; i++) await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/health/live`).then((r) => r.arrayBuffer())));

  child.kill('SIGTERM');
  // The port closes: the service is shutting down.
  await waitFor('the port to close', () => fetch(`${url}/health/live`).then(() => false, () => true), 30_000);
  // Then the reader goes away.
  child.stdout!.destroy();

  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  t.equal(code, 0, 'the process exited, gracefully (not killed by its exit deadline)', { signal });
});

t.test('the reader gone, then SIGTERM: the process exits', async (t) => {
  const { child, exited } = await startService(t);
  child.stdout!.destroy();
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  t.equal(code, 0);
});

t.test('the exit deadline ends a process whose main thread is stuck', async (t) => {
  const deadline = fileURLToPath(new URL('../../src/exit-deadline.js', import.meta.url));
  const script = `import(${JSON.stringify(deadline)}).then(async ({ armExitDeadline }) => { setInterval(() => undefined, 1000); await armExitDeadline(200); for (;;); });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore', env: { PATH: process.env.PATH } });
  t.teardown(() => void child.kill('SIGKILL'));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  t.same({ code, signal }, { code: null, signal: 'SIGKILL' });
});
