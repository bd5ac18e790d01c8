import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// scripts/build.mjs, which `npm start`, `npm run cli` and `npm test` run
// first: tsc runs only when a source changed since the last good build.
// Shown on a small project of its own, so the real tsc runs on a few lines,
// not on the repository.

const script = fileURLToPath(new URL('../../../scripts/build.mjs', import.meta.url));

async function runBuild(root: string, ...flags: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [script, '--root', root, ...flags], { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

/** A second later than the stamp: newer whatever the file system's time resolution. */
async function touchAfterStamp(root: string, file: string): Promise<void> {
  const stamp = await stat(join(root, 'dist', '.build-stamp'));
  const later = new Date(stamp.mtimeMs + 1000);
  await utimes(join(root, file), later, later);
}

t.test('the build runs tsc only when a source is newer than the last good build', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'build-staleness-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'src'));
  await writeFile(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'dist', rootDir: '.', types: [] }, include: ['src/**/*.ts'] }));
  await writeFile(join(root, 'src', 'a.ts'), 'export const answer: number = 41;\n');
  await writeFile(join(root, 'src', 'b.ts'), 'export const other = 1;\n');
  const output = join(root, 'dist', 'src', 'a.js');

  const first = await runBuild(root);
  t.equal(first.code, 0);
  t.match(first.stderr, 'build: compiling (no build yet)', 'the first run compiles');
  t.match(await readFile(output, 'utf8'), 'answer = 41');
  const built = (await stat(output)).mtimeMs;

  const second = await runBuild(root);
  t.equal(second.code, 0);
  t.equal(second.stderr, '', 'nothing changed: tsc does not run, nothing is said');
  t.equal((await stat(output)).mtimeMs, built, 'and the output is left as it was');

  await writeFile(join(root, 'src', 'a.ts'), 'export const answer: number = 42;\n');
  await touchAfterStamp(root, 'src/a.ts');
  const third = await runBuild(root);
  t.equal(third.code, 0);
  t.match(third.stderr, /compiling \(src[/\\]a\.ts changed\)/, 'a newer source: compiled, naming what changed');
  t.match(await readFile(output, 'utf8'), 'answer = 42');

  await unlink(join(root, 'src', 'b.ts'));
  await touchAfterStamp(root, 'src');
  t.match((await runBuild(root)).stderr, 'compiling (src changed)', 'a deleted source changes its folder: compiled');

  await writeFile(join(root, 'src', 'a.ts'), 'export const answer: number = "forty-two";\n');
  await touchAfterStamp(root, 'src/a.ts');
  const broken = await runBuild(root);
  t.not(broken.code, 0, 'a type error fails the build (npm test and npm start stop there)');
  t.match(broken.stderr, 'not marked as built');
  t.match((await runBuild(root)).stderr, 'compiling', 'and the next run compiles again instead of trusting dist/');

  await writeFile(join(root, 'src', 'a.ts'), 'export const answer: number = 43;\n');
  const forced = await runBuild(root, '--force');
  t.equal(forced.code, 0);
  t.match(forced.stderr, 'compiling (asked)', '--force compiles (npm run build, the prepare script of npm ci)');
  t.equal((await runBuild(root)).stderr, '', 'after which nothing is stale');
});

t.test('--if-available skips, saying why, where there is nothing to compile (a Docker stage before the sources are copied)', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'build-staleness-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const skipped = await runBuild(root, '--force', '--if-available');
  t.equal(skipped.code, 0);
  t.match(skipped.stderr, 'build: skipped (no sources here)');
});
