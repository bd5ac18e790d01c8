import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// The house rules of STYLE.md that a reader would otherwise check by eye:
// who may import what, how long a file may grow, and that the README's
// layout table names the folders that exist.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** What a file imports: package names as written, relative imports as paths under src/ ("events/clients/client.ts"). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^import|^export)[^;]*?from '([^']+)'|import\('([^']+)'\)/gm)].map((m) => m[1] ?? m[2]!);
  return specifiers.map((s) => (s.startsWith('.') ? relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

const under = (folder: string) => sources(join(SRC, folder)).map((file) => ({ file: relative(SRC, file), imports: importsOf(file) }));

t.test('deciders are pure: src/commands imports no database, auth, api, jobs, projections or workflows', async (t) => {
  const forbidden = /^(db|auth|api|jobs|projections|workflows)\//;
  for (const { file, imports } of under('commands')) t.same(imports.filter((i) => forbidden.test(i)), [], file);
});

t.test('a capability’s deciders import only events, other deciders and typebox', async (t) => {
  const allowed = (i: string) => /^(events|commands)\//.test(i) || i === 'typebox';
  for (const { file, imports } of under('commands').filter((f) => f.file.split('/').length > 2)) t.same(imports.filter((i) => !allowed(i)), [], file);
});

t.test('events import only events and typebox (and node:crypto, for the name-based record ids)', async (t) => {
  const allowed = (i: string) => i.startsWith('events/') || i === 'typebox' || i === 'typebox/compile' || i === 'node:crypto';
  for (const { file, imports } of under('events')) t.same(imports.filter((i) => !allowed(i)), [], file);
});

t.test('no file in src is over 300 lines', async (t) => {
  for (const file of sources(SRC)) {
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    t.ok(lines <= 300, `${relative(SRC, file)}: ${lines} lines`);
  }
});

t.test('every capability has its homes, named alike (workflows only where it has processes across streams)', async (t) => {
  const capabilities = readdirSync(join(SRC, 'events')).filter((name) => statSync(join(SRC, 'events', name)).isDirectory());
  t.ok(capabilities.length >= 4, `capabilities: ${capabilities.join(', ')}`);
  const listed = readFileSync(join(SRC, 'capabilities.ts'), 'utf8');
  for (const capability of capabilities) {
    for (const home of ['events', 'commands', 'projections', 'api']) t.ok(statSync(join(SRC, home, capability), { throwIfNoEntry: false })?.isDirectory(), `src/${home}/${capability}/`);
    t.match(listed, new RegExp(`name: '${capability}'`), `src/capabilities.ts lists ${capability}`);
  }
});

t.test('the README’s layout table names every folder of src', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const layout = readme.slice(readme.indexOf('## Layout'));
  for (const name of readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory())) t.match(layout, `\`src/${name}`, `src/${name}`);
  for (const path of layout.matchAll(/`(src\/[^`*<]+)`/g)) t.ok(statSync(join(ROOT, path[1]!), { throwIfNoEntry: false }), `${path[1]} exists`);
});
