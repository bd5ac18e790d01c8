import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { startRuntime, type TestRuntime } from './runtime.js';

// The OpenAPI document as a client fetches it (GET /docs/json of the whole
// service, every seed profile on), and Redocly's verdict on it.

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Operation {
  readonly operationId?: string;
  readonly summary?: string;
  readonly security?: readonly Record<string, readonly string[]>[];
  readonly parameters?: readonly { readonly in: string; readonly name: string }[];
  readonly requestBody?: { readonly content?: Record<string, MediaType> };
  readonly responses: Record<string, { readonly description: string; readonly content?: Record<string, MediaType>; readonly headers?: Record<string, unknown> }>;
}
export interface MediaType {
  readonly schema?: { readonly $ref?: string; readonly type?: string };
  readonly example?: unknown;
  readonly examples?: Record<string, unknown>;
}
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

/** The service, and the document it serves. */
export async function servedDocument(t: Test): Promise<{ runtime: TestRuntime; document: OpenApiDocument }> {
  const runtime = await startRuntime(t);
  const reply = await runtime.app.inject({ method: 'GET', url: '/docs/json' });
  if (reply.statusCode !== 200) throw new Error(`/docs/json answered ${reply.statusCode}`);
  return { runtime, document: reply.json() as OpenApiDocument };
}

/** Every operation: "METHOD /path" and the operation. */
export function operationsOf(document: OpenApiDocument): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]));
}

/** The document in a file of a fresh temporary directory, removed at the test's end. */
export async function documentFile(t: Test, document: OpenApiDocument): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(document, null, 2));
  return file;
}

export interface LintProblem {
  readonly ruleId: string;
  readonly severity: 'error' | 'warn';
  readonly message: string;
  readonly location: readonly { readonly pointer: string }[];
}

/** `redocly lint` with the repository's redocly.yaml (the CLI, as a person would run it), its problems as JSON. */
export async function redoclyLint(file: string): Promise<{ problems: LintProblem[]; totals: { errors: number; warnings: number } }> {
  const binary = join(ROOT, 'node_modules', '.bin', 'redocly');
  const args = ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json', '--max-problems', '10000'];
  const child = spawn(binary, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  const text = Buffer.concat(out).toString();
  const start = text.indexOf('{');
  if (start < 0) throw new Error(`redocly printed no report:\n${text}\n${Buffer.concat(err).toString()}`);
  return JSON.parse(text.slice(start)) as { problems: LintProblem[]; totals: { errors: number; warnings: number } };
}
