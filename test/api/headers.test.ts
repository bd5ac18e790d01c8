import { sql } from 'kysely';
import t from 'tap';
import { call, startRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/waiting.js';

// Security headers on every reply (helmet), CORS only for the allowed
// origins (CORS_ORIGINS, off by default), and operations endpoints that tell
// details only to the holder of OPS_TOKEN.

const OPS_TOKEN = 'ops-token-for-tests-0123456789abcdef';

/** The CSP's directives, by name. */
function directives(header: unknown): Record<string, string[]> {
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

t.test('every reply carries nosniff, a frame ban and a CSP', async (t) => {
  const { app } = await startRuntime(t, { database: 'pglite' });
  for (const url of ['/api/v1/clients/me', '/health/live', '/docs/', '/no-such-page']) {
    const reply = await app.inject({ method: 'GET', url });
    t.equal(reply.headers['x-content-type-options'], 'nosniff', `${url}: nosniff`);
    t.equal(reply.headers['x-frame-options'], 'DENY', `${url}: X-Frame-Options`);
    t.same(directives(reply.headers['content-security-policy'])['frame-ancestors'], ["'none'"], `${url}: frame-ancestors`);
  }
});

t.test('the CSP lets Swagger UI load everything its page asks for, and nothing from elsewhere', async (t) => {
  const { app } = await startRuntime(t, { database: 'pglite' });
  const page = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(page.statusCode, 200);
  const csp = directives(page.headers['content-security-policy']);
  t.same(csp['script-src'], ["'self'"], 'scripts from this origin only');
  t.notMatch(page.body, /<script(?![^>]*\ssrc=)[^>]*>/, 'the page has no inline script the CSP would block');
  t.notMatch(page.body, /\son[a-z]+=/i, 'nor inline event handlers');
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  t.ok(assets.length >= 5, `the page loads ${assets.join(', ')}`);
  for (const asset of assets) {
    t.notMatch(asset, /^(https?:)?\/\//, `${asset} is from this origin`);
    const url = new URL(asset, 'http://localhost/docs/').pathname;
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, `${url} is served`);
  }
  const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  t.match(initializer.body, /url: resolveUrl\('\.\/json'\)/, 'the UI fetches the document from this origin');
  t.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200);
  t.match(initializer.body, /validatorUrl: null/, 'and calls no outside validator');
  t.same(csp['connect-src'], ["'self'"], 'which connect-src allows');
  t.same(csp['style-src'], ["'self'", "'unsafe-inline'"], 'the UI sets inline style attributes');
  t.same(csp['img-src'], ["'self'", 'data:'], 'and draws its icons from data: URIs');
  t.notOk('upgrade-insecure-requests' in csp, 'a plain-HTTP development server keeps working docs');
});

t.test('CORS is off by default', async (t) => {
  const { app } = await startRuntime(t, { database: 'pglite' });

  t.test('a request from another origin gets no CORS headers', async (t) => {
    const simple = await app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://app.example.com' } });
    t.notOk(simple.headers['access-control-allow-origin']);
  });

  t.test('not even a preflight', async (t) => {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/api/v1/auth/token', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    t.notOk(preflight.headers['access-control-allow-origin']);
  });
});

t.test('CORS_ORIGINS allows exactly the origins it names', async (t) => {
  const { app } = await startRuntime(t, { database: 'pglite', env: { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' } });

  t.test('a preflight from a named origin is allowed, with authorization and without credentials', async (t) => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/auth/token',
      headers: { origin: 'https://admin.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    t.equal(preflight.statusCode, 204);
    t.equal(preflight.headers['access-control-allow-origin'], 'https://admin.example.com');
    t.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
    t.notOk(preflight.headers['access-control-allow-credentials'], 'bearer tokens, no cookies: no credentials mode');
  });

  t.test('a request from a named origin is allowed and may read Retry-After', async (t) => {
    const allowed = await app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://app.example.com' } });
    t.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
    t.match(String(allowed.headers['access-control-expose-headers']), /retry-after/, 'a frontend can read Retry-After');
  });

  t.test('another origin gets none', async (t) => {
    const other = await app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://evil.example.net' } });
    t.notOk(other.headers['access-control-allow-origin'], 'another origin gets none');
  });
});

t.test('CORS_ORIGINS and OPS_TOKEN are checked at start', async (t) => {
  const { loadConfig } = await import('../../src/config.js');
  t.test('CORS_ORIGINS is not a wildcard', async (t) => {
    t.throws(() => loadConfig({ CORS_ORIGINS: '*' }), /CORS_ORIGINS must be a comma-separated list of origins/);
  });
  t.test('a CORS origin has no path or trailing slash', async (t) => {
    t.throws(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/' }), /no path or trailing slash/);
  });
  t.test('OPS_TOKEN is at least 32 characters', async (t) => {
    t.throws(() => loadConfig({ OPS_TOKEN: 'short' }), /OPS_TOKEN must be at least 32 characters/);
  });
  t.test('CORS_ORIGINS is a comma-separated list', async (t) => {
    t.same(loadConfig({ CORS_ORIGINS: 'https://a.example.com,http://localhost:5173' }).corsOrigins, ['https://a.example.com', 'http://localhost:5173']);
  });
});

t.test('/health/ready says up or down to the public; error texts and job counts only with OPS_TOKEN', async (t) => {
  const runtime = await startRuntime(t, { env: { OPS_TOKEN, READ_YOUR_WRITES_TIMEOUT_MS: '0' } });
  const { app } = runtime;
  // A projection that keeps failing with an SQL error (a retried one, so it is not parked): its table refuses writes.
  await sql`CREATE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'client_accounts refuses writes' USING ERRCODE = '40001'; END $$`.execute(runtime.connection.db);
  await sql`CREATE TRIGGER refuse_writes BEFORE INSERT OR UPDATE ON client_accounts FOR EACH ROW EXECUTE FUNCTION refuse_writes()`.execute(runtime.connection.db);
  await call(app, 'POST', '/api/v1/auth/register', { body: { phone: '+79517586700' } });
  const failing = () => runtime.runners.find((r) => r.status().name === 'client-accounts')!.status();
  await eventually(() => failing().lastError !== undefined, 10_000);
  t.match(failing().lastError, /client_accounts/, 'the projection keeps failing on its table');

  const publicReply = await call(app, 'GET', '/health/ready');
  t.same(Object.values(publicReply.body.checks), [{ status: 'ok' }, { status: 'ok' }], 'each component: its status, nothing else');
  t.same(publicReply.body.projections.find((p: { name: string }) => p.name === 'client-accounts'), { name: 'client-accounts', state: 'failing' }, 'the failing projection is named, not explained');
  t.notMatch(JSON.stringify(publicReply.body), /client_accounts|refuses writes/, 'no SQL error text anywhere');
  t.equal(publicReply.body.jobs, null, 'no queue sizes');

  const wrong = await call(app, 'GET', '/health/ready', { token: 'not-the-ops-token-0123456789abcdef' });
  t.same(wrong.body, publicReply.body, 'a wrong token sees what the public sees');
  const operator = await call(app, 'GET', '/health/ready', { token: OPS_TOKEN });
  t.match(operator.body.projections.find((p: { name: string }) => p.name === 'client-accounts'), { state: 'failing', lastError: /client_accounts/ }, 'the operator sees why');
  t.ok(operator.body.jobs, 'and the job counts');
});

t.test('/metrics: with OPS_TOKEN set only its holder scrapes; without, open and free of error texts', async (t) => {
  const guarded = await startRuntime(t, { database: 'pglite', env: { OPS_TOKEN } });
  const refused = await guarded.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(refused.statusCode, 401);
  t.same(refused.json(), { detail: 'Authentication credentials were not provided.' });
  t.equal((await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
  const scraped = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${OPS_TOKEN}` } });
  t.equal(scraped.statusCode, 200);
  t.match(scraped.body, /projection_running/);
  t.match(scraped.body, /password_work_total\{kind="verification"\}/, 'argon2 work is counted');

  const open = await startRuntime(t, { database: 'pglite' });
  const reply = await open.app.inject({ method: 'GET', url: '/metrics' });
  t.equal(reply.statusCode, 200, 'no OPS_TOKEN: open, as Prometheus scrapes it by default');
  const labels = [...reply.body.matchAll(/\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((pair) => pair.split('=')[0]));
  t.same([...new Set(labels)].sort(), [...new Set(labels)].filter((l) => !/error|message/i.test(l!)).sort(), 'no label carries an error text');
});
