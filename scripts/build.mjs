#!/usr/bin/env node
// Builds dist/ with tsc only when the sources changed since the last build
// that succeeded. Plain JavaScript, so that it runs before anything is
// compiled. `npm start`, `npm run cli`, `npm test` (and bench, fuzz) run it
// first; a second start with nothing changed costs a directory walk, not a
// compilation.
//
//   node scripts/build.mjs                 compile when stale (incrementally), else nothing
//   node scripts/build.mjs --force         compile from scratch (npm run build, npm ci's prepare)
//   node scripts/build.mjs --if-available  skip, saying why, when TypeScript or the sources
//                                          are absent (`npm ci --omit=dev`, a Docker stage
//                                          that has only package.json)
//   node scripts/build.mjs --root DIR      the project in DIR (the tests build a small copy)
//
// Stale means: no stamp (dist/.build-stamp, written after a build that
// succeeded), or a file or folder under src/, test/, bench/, or tsconfig.json,
// package.json, package-lock.json, changed after the build that wrote the
// stamp started. Folders count, so a deleted file is a change too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WATCHED_FOLDERS = ['src', 'test', 'bench'];
const WATCHED_FILES = ['tsconfig.json', 'package.json', 'package-lock.json'];
const STAMP = join('dist', '.build-stamp');
const BUILD_INFO = join('dist', '.tsbuildinfo');

/** The newest change under the watched paths of `root`: its time (ms) and what changed. */
export function newestSource(root) {
  let newest = { mtimeMs: 0, path: '' };
  const see = (path, stats) => {
    if (stats.mtimeMs > newest.mtimeMs) newest = { mtimeMs: stats.mtimeMs, path: relative(root, path) };
  };
  const walk = (dir) => {
    see(dir, statSync(dir));
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) see(path, statSync(path));
    }
  };
  for (const folder of WATCHED_FOLDERS) if (existsSync(join(root, folder))) walk(join(root, folder));
  for (const file of WATCHED_FILES) if (existsSync(join(root, file))) see(join(root, file), statSync(join(root, file)));
  return newest;
}

/** Why dist/ of `root` must be built again, or undefined when it is up to date. */
export function staleness(root) {
  const stamp = statSync(join(root, STAMP), { throwIfNoEntry: false });
  if (!stamp) return 'no build yet';
  const newest = newestSource(root);
  return newest.mtimeMs > stamp.mtimeMs ? `${newest.path} changed` : undefined;
}

function tscPath() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/**
 * Compiles `root` when stale (or always, with force); returns the exit code.
 * The stamp carries the time the build started: a source saved during the
 * build is newer, so the next run builds again.
 */
export function build(root, { force = false, ifAvailable = false, say = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const tsc = tscPath();
  const project = join(root, 'tsconfig.json');
  if (ifAvailable && (!tsc || !existsSync(project) || !existsSync(join(root, 'src')))) {
    say(`build: skipped (${!tsc ? 'TypeScript is not installed' : 'no sources here'})`);
    return 0;
  }
  const why = force ? 'asked' : staleness(root);
  if (!why) return 0;
  if (!tsc) {
    say('build: TypeScript is not installed (npm ci installs it)');
    return 1;
  }
  const startedAt = new Date();
  // From scratch when forced: the incremental record is dropped with what it describes.
  if (force) rmSync(join(root, BUILD_INFO), { force: true });
  say(`build: compiling (${why})`);
  const result = spawnSync(process.execPath, [tsc, '-p', project, '--incremental', '--tsBuildInfoFile', join(root, BUILD_INFO)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    say('build: failed; dist/ is not marked as built');
    return result.status ?? 1;
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, STAMP), `built from sources as of ${startedAt.toISOString()}\n`);
  utimesSync(join(root, STAMP), startedAt, startedAt);
  say(`build: done in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)} s`);
  return 0;
}

function main(argv) {
  const flags = new Set(argv.filter((arg) => arg.startsWith('--')));
  const rootAt = argv.indexOf('--root');
  const root = resolve(rootAt >= 0 && argv[rootAt + 1] ? argv[rootAt + 1] : join(fileURLToPath(import.meta.url), '..', '..'));
  const unknown = [...flags].filter((flag) => !['--force', '--if-available', '--root'].includes(flag));
  if (unknown.length > 0) {
    process.stderr.write(`build: unknown option ${unknown.join(', ')}\n`);
    return 64;
  }
  return build(root, { force: flags.has('--force'), ifAvailable: flags.has('--if-available') });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
