import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { compose, type Runtime } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { call } from '../helpers/runtime.js';
import { freshPostgresUrl } from '../helpers/databases.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { until } from '../helpers/waiting.js';

// The roles apart: an api process and a projector process on one PostgreSQL,
// each through the proxy. Both outlive the outage; after it the api writes and
// sees the projector's read model again.

t.test('ROLE=api and ROLE=projector, apart, both survive a PostgreSQL outage', async (t) => {
  const url = await freshPostgresUrl(t);
  const proxy = await startTcpProxy(t, { port: Number(new URL(url).port || 5432) });
  const dataDir = await mkdtemp(join(tmpdir(), 'roles-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const start = async (role: string): Promise<Runtime> => {
    const env = { ROLE: role, DATA_DIR: dataDir, DATABASE_URL: proxy.via(url), CODE_SECRET: 'a-code-secret-of-at-least-32-characters', LOG_LEVEL: 'silent' };
    const runtime = await compose(loadConfig(env), pino({ level: 'silent' }));
    t.teardown(() => runtime.close());
    return runtime;
  };
  const projector = await start('projector');
  const api = await start('api');
  const app = api.app!;
  const register = () => call(app, 'POST', '/api/v1/users', { body: { email: `u-${randomUUID()}@roles.test`, password: 'staff-password' } });

  t.equal((await register()).status, 201, 'the api sees the projector’s read model before');

  proxy.cut();
  const during = await register();
  t.equal(during.status, 503);
  t.ok(during.headers['retry-after']);
  t.equal((await call(app, 'GET', '/health/ready')).status, 503);
  await until(() => projector.runners.every((r) => r.status().state === 'failing') || undefined, 30_000);

  proxy.restore();
  await until(async () => (await register()).status === 201 || undefined, 60_000);
  t.pass('the api writes and reads the projector’s read model again');
  // Projectors with nothing to apply come back on their own backoff: wait for each, then say what was seen.
  await until(() => projector.runners.every((r) => r.status().state === 'running') || undefined, 60_000).catch(() => undefined);
  t.ok(projector.runners.every((r) => r.status().state === 'running'), 'every projector runs again', { runners: projector.runners.map((r) => r.status()) });
  await until(async () => (await call(app, 'GET', '/health/ready')).status === 200 || undefined, 60_000).catch(() => undefined);
  t.equal((await call(app, 'GET', '/health/ready')).status, 200, 'ready again');
});
