// Child processes of the benchmark: the service under test and the bare
// Fastify ceiling, each loaded over real HTTP from the benchmark process.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const MAIN_JS = fileURLToPath(new URL('../src/main.js', import.meta.url));
export const CLI_JS = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const BARE_JS = fileURLToPath(new URL('./bare-fastify.js', import.meta.url));

/** A port nobody listens on right now (the child binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process in MiB: VmRSS now and VmHWM (the peak so far), from /proc. */
export async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kib('VmRSS') / 1024, peakMb: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  /** The last lines the child wrote (stdout and stderr), for error reports. */
  output(): string;
  /** The code in the last SMS the console provider logged for `phone` (verification during setup). */
  smsCode(phone: string, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

function capture(child: ChildProcess, codes?: Map<string, string>): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    const fresh = chunk.toString().split('\n').filter(Boolean);
    lines.push(...fresh);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
    for (const line of codes ? fresh : []) {
      if (!line.includes('sms (console provider')) continue;
      const { to, text } = JSON.parse(line) as { to?: string; text?: string };
      const code = /code is (\d{6})/.exec(text ?? '')?.[1];
      if (to && code) codes!.set(to, code);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

/** Waits for the console provider to log a code for `phone` (the service must log at info). */
function codeWaiter(codes: Map<string, string>) {
  return async (phone: string, timeoutMs = 10_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const code = codes.get(phone);
      if (code) return code;
      if (Date.now() > deadline) throw new Error(`no SMS code for ${phone} in the service's log (it must log at info or below)`);
      await sleep(20);
    }
  };
}

function stopper(child: ChildProcess) {
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return async (graceMs = 20_000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Polls `url` until it answers 200, the child dies, or `timeoutMs` passes. */
async function waitUntilUp(child: ChildProcess, url: string, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode} while starting:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`the service did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

export interface ServiceOptions {
  readonly env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

/** The node flags of package.json's start script (its last command, `node <flags> dist/src/main.js`, after the build check), so the service runs as npm start runs it. */
export async function startScriptNodeFlags(): Promise<string[]> {
  const start = (JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = (start.split('&&').at(-1) ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/src/main.js') throw new Error(`package.json start script is not "node [flags] dist/src/main.js": ${start}`);
  return words.slice(1, -1);
}

/** `node dist/src/main.js` with npm start's node flags, on a free port; resolves when /health/ready answers. */
export async function startService(options: ServiceOptions): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(await startScriptNodeFlags()), ...(options.nodeArgs ?? []), MAIN_JS], {
    env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const codes = new Map<string, string>();
  const output = capture(child, codes);
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(child, `${url}/health/ready`, output, 60_000);
  } catch (error) {
    await stop(2000);
    throw error;
  }
  return { process: child, url, output, stop, smsCode: codeWaiter(codes) };
}

/** The bare Fastify app (bench/bare-fastify.ts) on a port of its choosing. */
export async function startBareFastify(): Promise<Child> {
  const child = fork(BARE_JS, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const output = capture(child);
  const stop = stopper(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare fastify did not start:\n${output()}`)), 20_000);
    child.once('message', (message: { port?: number }) => {
      clearTimeout(timer);
      resolve(message.port ?? 0);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare fastify exited with ${code}:\n${output()}`));
    });
  });
  return { process: child, url: `http://127.0.0.1:${port}`, output, stop, smsCode: () => Promise.reject(new Error('bare fastify sends no SMS')) };
}

/** Runs a command to completion with a time limit; stdout and stderr are collected. */
export function runToEnd(
  command: string,
  args: readonly string[],
  options: { env: Record<string, string>; timeoutMs: number; onLine?: (line: string) => void },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (partial) options.onLine?.(partial);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}
