import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { FIGURE_KEYS } from '../bench/figures.js';

// The benchmark's quick mode, end to end, so `npm run bench` never rots: it
// starts the service, loads it over HTTP, measures the ceilings and writes
// every figure (a number, or "n/a" for a feature that does not exist yet).

const RUN_JS = fileURLToPath(new URL('../bench/run.js', import.meta.url));

t.test('npm run bench -- --quick', { timeout: 150_000 }, async (t) => {
  const out = join(tmpdir(), `bench-smoke-${randomUUID()}.json`);
  t.teardown(() => rm(out, { force: true }));
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_JS, '--quick', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  t.equal(code, 0, 'the quick run exits 0', { output: output.slice(-4000) });

  const results = JSON.parse(await readFile(out, 'utf8')) as {
    mode: string;
    machine: { cpus: number; node: string };
    figures: Record<string, { value: unknown; target: string }>;
  };
  t.equal(results.mode, 'quick');
  t.ok(results.machine.cpus > 0 && results.machine.node.startsWith('v'), 'the machine is described');
  for (const key of FIGURE_KEYS) {
    const value = results.figures[key]?.value;
    t.ok((typeof value === 'number' && Number.isFinite(value) && value >= 0) || value === 'n/a', `${key} is a number or "n/a" (got ${JSON.stringify(value)})`);
  }
  for (const key of ['commands_per_s', 'get_client_req_per_s', 'raw_pg_insert_tx_per_s', 'bare_fastify_get_req_per_s', 'rebuild_events_per_s', 'registrations_per_s'] as const) {
    t.type(results.figures[key]?.value, 'number', `${key} was measured`);
  }
  t.match(output, /figure\s+\| value/, 'the table is printed');
});
