import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { call, startRuntime } from '../helpers/runtime.js';

// The seeds' profiles as a whole (src/api/compat/index.ts): each one on by
// default under its own OpenAPI tag, each one off by a setting, and each
// one answering in its own format even where no route of it matches.

const SEEDS = ['000', '001', '002', '003', '004'];
/** One route of each profile, as its seed writes it. */
const A_ROUTE: Record<string, { method: 'GET' | 'POST'; url: string }> = {
  '000': { method: 'POST', url: '/compat/000/clients/auth/token/' },
  '001': { method: 'POST', url: '/compat/001/api/v1/clients' },
  '002': { method: 'GET', url: '/compat/002/api/v1/workers/' },
  '003': { method: 'POST', url: '/compat/003/users/auth/registration/' },
  '004': { method: 'POST', url: '/compat/004/auth/api/Register/' },
};

interface Document {
  tags: { name: string }[];
  paths: Record<string, Record<string, { tags?: string[] }>>;
}

t.test('COMPAT_PROFILES is all, none or a list of seeds, and says so when it is not', async (t) => {
  t.same(loadConfig({ COMPAT_PROFILES: undefined }).compatProfiles, SEEDS, 'all by default');
  t.same(loadConfig({ COMPAT_PROFILES: 'none' }).compatProfiles, []);
  t.same(loadConfig({ COMPAT_PROFILES: '004, 000' }).compatProfiles, ['000', '004']);
  let refused: unknown;
  try {
    loadConfig({ COMPAT_PROFILES: '000,005' });
  } catch (error) {
    refused = error;
  }
  t.ok(refused instanceof ConfigError, 'an unknown seed stops the start');
  t.match((refused as Error).message, /COMPAT_PROFILES must be all, none or a comma-separated list of 000, 001, 002, 003, 004 \(not "005"\)/);
});

t.test('every profile is served by default, each operation under its seed’s tag', async (t) => {
  const runtime = await startRuntime(t);
  const document = (await call(runtime.app, 'GET', '/docs/json')).body as unknown as Document;
  for (const seed of SEEDS) {
    t.ok(document.tags.some((tag) => tag.name === `compat-${seed}`), `the document describes the tag compat-${seed}`);
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith(`/compat/${seed}/`))
      .flatMap(([, item]) => Object.values(item));
    t.ok(operations.length > 0, `seed ${seed} has operations in the document`);
    t.same(operations.filter((op) => JSON.stringify(op.tags) !== JSON.stringify([`compat-${seed}`])), [], `every operation of seed ${seed} is tagged compat-${seed} alone`);
    const { method, url } = A_ROUTE[seed]!;
    const reply = await runtime.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: method === 'POST' ? '{}' : undefined });
    t.not(reply.statusCode, 404, `${method} ${url} is served`);
  }

  t.test('a path no route of a profile matches answers 404 in that profile’s format', async (t) => {
    t.same((await call(runtime.app, 'GET', '/compat/004/auth/api/nothing/')).body, { error: 'Not found.' }, 'seed 004: { error }');
    t.same((await call(runtime.app, 'GET', '/compat/000/clients/nothing/')).body, { detail: 'Not found.' }, 'seed 000: { detail }');
  });
});

t.test('a profile turned off is not served and not documented; the others are', async (t) => {
  const runtime = await startRuntime(t, { env: { COMPAT_PROFILES: '004' } });
  const document = (await call(runtime.app, 'GET', '/docs/json')).body as unknown as Document;
  t.same(document.tags.filter((tag) => tag.name.startsWith('compat-')).map((tag) => tag.name), ['compat-004']);
  t.same(Object.keys(document.paths).filter((path) => path.startsWith('/compat/') && !path.startsWith('/compat/004/')), [], 'only seed 004 is documented');
  for (const seed of ['000', '001', '002', '003']) {
    const { method, url } = A_ROUTE[seed]!;
    const reply = await call(runtime.app, method, url, method === 'POST' ? { body: {} } : {});
    t.equal(reply.status, 404, `${method} ${url} is not served`);
  }
  const served = await call(runtime.app, 'POST', A_ROUTE['004']!.url, { body: {} });
  t.not(served.status, 404, 'seed 004 is');
});
