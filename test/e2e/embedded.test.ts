import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startService, type ServiceProcess } from '../helpers/service-process.js';
import { eventually, until } from '../helpers/waiting.js';

// `npm start` with nothing configured: one process, PGlite under DATA_DIR,
// jobs in process. Run as a real process over real HTTP.

function start(dataDir: string): Promise<ServiceProcess> {
  return startService({ PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'debug' });
}

/** The code of an SMS to `phone` that the console provider logged on this line, if it is one. */
function smsCodeIn(line: string, phone: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string; to?: string; text?: string };
    return entry.msg?.startsWith('sms (console provider') && entry.to === phone ? /code is (\d{6})/.exec(entry.text ?? '')?.[1] : undefined;
  } catch {
    return undefined;
  }
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

t.test('embedded default: serves the slice, shuts down gracefully, keeps data across a restart', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'embedded-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));

  const first = await start(dataDir);
  t.teardown(() => void first.child.kill('SIGKILL'));
  const phone = '+79517586284';
  const registered = await post(`${first.url}/api/v1/auth/register`, { phone, password: 'client1client1' });
  t.equal(registered.status, 201);
  // The console provider logs the SMS; the in-process worker sends it soon after the reply.
  const code = await until(() => first.lines.map((line) => smsCodeIn(line, phone)).find(Boolean));
  t.match(code, /^\d{6}$/, 'the verification code was sent');

  // A request in flight when SIGTERM arrives still gets its answer: the verification that gives the phone to the account.
  const inFlight = post(`${first.url}/api/v1/auth/phone/verify`, { phone, code });
  // SIGTERM once the server has the request in hand (it logged it), not before.
  await eventually(() => first.lines.some((l) => l.includes('incoming request') && l.includes('/api/v1/auth/phone/verify')), 2500);
  first.child.kill('SIGTERM');
  const verified = await inFlight;
  t.equal(verified.status, 200, 'the in-flight verification completed during shutdown');
  const [exitCode] = (await once(first.child, 'exit')) as [number | null];
  t.equal(exitCode, 0, 'graceful shutdown exits 0', { lines: first.lines.filter((l) => !l.includes('incoming request')) });
  t.ok(first.lines.some((l) => l.includes('shutting down')), 'the shutdown is logged');
  t.match(first.lines.at(-1), /"msg":"stopped"/, 'and the last line, written just before exit, is not lost to the asynchronous log writer');

  const second = await start(dataDir);
  t.teardown(() => void second.child.kill('SIGKILL'));
  const login = await post(`${second.url}/api/v1/auth/token`, { phone, password: 'client1client1' });
  t.equal(login.status, 200, 'the client registered and verified before the restart logs in after it');
  const me = await fetch(`${second.url}/api/v1/clients/me`, { headers: { authorization: `Bearer ${login.body.access}` } });
  t.equal(me.status, 200);
  t.match(await me.json(), { id: registered.body.client_id, confirmed_phone: true });
  second.child.kill('SIGTERM');
  const [secondCode] = (await once(second.child, 'exit')) as [number | null];
  t.equal(secondCode, 0);
});

t.test('configuration is validated at start with clear messages', async (t) => {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { PATH: process.env.PATH, PORT: 'eighty', ROLE: 'worker', DATABASE_URL: 'mysql://x', TRUST_PROXY: '10.0.0.0/8, 10.0.0.0/33,proxy' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 78);
  t.match(stderr, /PORT must be an integer/);
  t.match(stderr, /DATABASE_URL must start with postgres:\/\//);
  t.match(stderr, /ROLE=worker takes jobs from Redis: set REDIS_URL/);
  t.match(stderr, /TRUST_PROXY must be false, true, a hop count or a comma-separated list of addresses and CIDRs \(not "10\.0\.0\.0\/33", "proxy"\)/);
});
