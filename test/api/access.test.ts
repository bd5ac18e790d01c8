import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { startSession } from '../../src/auth/sessions.js';
import { accessControl, mustDeclareAccess } from '../../src/api/access.js';
import { authentication } from '../../src/api/authenticate.js';
import { findUser } from '../../src/projections/identity/users.js';

import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/waiting.js';
import { addMember, loginOf, organizationOf, staffMember, staffToken, verifyEmail } from '../helpers/staff.js';

const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const NOT_FOUND = { detail: 'Not found.' };

const run = promisify(execFile);
const CLI = new URL('../../src/cli.js', import.meta.url).pathname;

/** `npm run cli -- admin create ...` against the runtime's database, as an operator runs it. */
async function cli(runtime: TestRuntime, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: runtime.config.databaseUrl!, DATA_DIR: runtime.config.dataDir, LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Every route find-my-way knows, as "METHOD /path", read from printRoutes' tree. */
function printedRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const path: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│├└─\s]*)(\S+)(?: \(([^)]*)\))?$/u.exec(line);
    if (!match) continue;
    const depth = (match[1]!.length - 4) / 4;
    path.length = depth;
    path.push(match[2]!);
    for (const method of match[3]?.split(', ') ?? []) routes.push(`${method} ${path.join('')}`);
  }
  return routes;
}

t.test('the access plugin', async (t) => {
  const runtime = await startRuntime(t);

  t.test('every /api/v1 and /compat/ route declares who may call it', async (t) => {
    const { app } = runtime;
    const declared = app.declaredRoutes();
    const printed = printedRoutes(app).filter((r) => mustDeclareAccess(r.split(' ')[1]!));
    t.ok(printed.length >= 15, `the router lists the API routes (${printed.length})`);
    const seen = new Set(declared.map((r) => `${r.method} ${r.url}`));
    t.same(printed.filter((r) => !seen.has(r)), [], 'the access plugin saw every route the router has');
    const undeclared = declared.filter((r) => mustDeclareAccess(r.url) && r.access === undefined).map((r) => `${r.method} ${r.url}`);
    t.same(undeclared, [], 'no route without an access declaration');
  });

  t.test('the OpenAPI document asks for a token exactly where a route declares one', async (t) => {
    const { app } = runtime;
    const declared = app.declaredRoutes();
    // The security requirement is derived from the declaration, never written by hand.
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { security?: unknown }>> };
    const documented = declared.filter((r) => mustDeclareAccess(r.url) && r.method !== 'HEAD');
    const wrong = documented.filter((r) => {
      const operation = document.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      if (!operation) return true;
      const expected = r.access?.kind === 'public' ? [] : [{ bearer: [] }];
      return JSON.stringify(operation.security) !== JSON.stringify(expected);
    });
    t.ok(documented.length >= 15, `the document lists the API routes (${documented.length})`);
    t.same(wrong.map((r) => `${r.method} ${r.url}`), [], 'a token is required in the document exactly where the route declares one; public ones say `security: []`');
  });

  /** A bare app with the authentication and access plugins, as the runtime registers them. */
  const guarded = async (t: Test) => {
    const probe = Fastify();
    t.teardown(() => probe.close());
    await probe.register(authentication, { deps: runtime.deps });
    await probe.register(accessControl, { deps: runtime.deps });
    return probe;
  };

  t.test('a route without a declaration fails closed', async (t) => {
    const probe = await guarded(t);
    probe.get('/api/v1/forgotten', async () => ({ secret: true }));
    probe.get('/elsewhere', async () => ({ open: true }));
    await probe.ready();
    const staff = await staffToken(runtime, randomUUID());
    const anonymous = await call(probe, 'GET', '/api/v1/forgotten');
    t.equal(anonymous.status, 401);
    t.same(anonymous.body, NOT_AUTHENTICATED);
    const signedIn = await call(probe, 'GET', '/api/v1/forgotten', { token: staff });
    t.equal(signedIn.status, 403);
    t.same(signedIn.body, FORBIDDEN);
    t.equal((await call(probe, 'GET', '/elsewhere')).status, 200, 'routes outside /api/ (health, docs) are not in scope');
  });

  t.test('a declaration naming a missing parameter stops the start', async (t) => {
    const broken = await guarded(t);
    t.throws(
      () => broken.get('/api/v1/things/:id', { config: { access: { kind: 'organization', param: 'org', roles: ['owner'] } } }, async () => ({})),
      /path parameter "org"/,
    );
  });
});

t.test('the authorization matrix, against current memberships', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const ownerA = await staffMember(runtime, 'owner@a.example');
  const ownerB = await staffMember(runtime, 'owner@b.example');
  const manager = await staffMember(runtime, 'manager@a.example');
  const auditor = await staffMember(runtime, 'auditor@a.example');
  const a = await organizationOf(runtime, ownerA, 'A');
  const b = await organizationOf(runtime, ownerB, 'B');
  await addMember(runtime, a, ownerA, manager, 'manager');
  await addMember(runtime, a, ownerA, auditor, 'auditor');
  // A client's token: the kind is what counts here, not who the client is.
  const client = (await startSession(runtime.deps.db, runtime.deps.tokens, { id: randomUUID(), kind: 'client' }, new Date())).access;

  t.test('anonymous callers: 401 everywhere but public routes, before any validation', async (t) => {
    for (const [method, url] of [['GET', '/api/v1/users/me'], ['GET', '/api/v1/organizations'], ['GET', `/api/v1/organizations/${a}`], ['GET', `/api/v1/organizations/${a}/members`], ['GET', '/api/v1/organizations/not-a-uuid']] as const) {
      const reply = await call(app, method, url);
      t.equal(reply.status, 401, `${method} ${url}`);
      t.same(reply.body, NOT_AUTHENTICATED);
    }
    t.equal((await call(app, 'POST', '/api/v1/organizations', { body: { nonsense: true } })).status, 401, 'an invalid body is not even looked at');
    t.equal((await call(app, 'GET', '/api/v1/organizations', { token: 'not.a.token' })).status, 401, 'an invalid token');
  });

  t.test('a client token on staff routes: 403', async (t) => {
    for (const [method, url] of [['GET', '/api/v1/users/me'], ['GET', '/api/v1/organizations'], ['GET', `/api/v1/organizations/${a}`], ['PATCH', `/api/v1/organizations/${a}`]] as const) {
      const reply = await call(app, method, url, { token: client, body: method === 'PATCH' ? {} : undefined });
      t.equal(reply.status, 403, `${method} ${url}`);
      t.same(reply.body, FORBIDDEN);
    }
  });

  t.test("another organization's staff: 404, the same as for no organization at all", async (t) => {
    for (const [method, url, body] of [
      ['GET', `/api/v1/organizations/${b}`, undefined],
      ['PATCH', `/api/v1/organizations/${b}`, { name: 'mine now' }],
      ['GET', `/api/v1/organizations/${b}/members`, undefined],
      ['POST', `/api/v1/organizations/${b}/invitations`, { email: 'manager@a.example', role: 'owner' }],
      ['GET', `/api/v1/organizations/${b}/invitations`, undefined],
      ['GET', `/api/v1/organizations/${b}/executors`, undefined],
      ['GET', `/api/v1/organizations/${randomUUID()}`, undefined],
      ['GET', '/api/v1/organizations/not-a-uuid', undefined],
    ] as const) {
      const reply = await call(app, method, url, { token: ownerA.token, body });
      t.equal(reply.status, 404, `${method} ${url}`);
      t.same(reply.body, NOT_FOUND);
    }
    t.equal((await call(app, 'GET', `/api/v1/organizations/${b}`, { token: ownerB.token })).body.name, 'B', 'B is untouched');
  });

  t.test('roles inside one organization', async (t) => {
    const patch = await call(app, 'PATCH', `/api/v1/organizations/${a}`, { token: manager.token, body: { name: 'Renamed' } });
    t.equal(patch.status, 403, 'a manager does not patch the organization');
    t.same(patch.body, FORBIDDEN);
    t.equal((await call(app, 'POST', `/api/v1/organizations/${a}/invitations`, { token: manager.token, body: { email: 'owner@b.example', role: 'specialist' } })).status, 403, 'a manager invites nobody');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${a}/members`, { token: auditor.token })).status, 200, 'an auditor reads members');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${a}/executors`, { token: auditor.token })).status, 200);
    t.equal((await call(app, 'GET', `/api/v1/organizations/${a}`, { token: auditor.token })).status, 200);
    t.equal((await call(app, 'DELETE', `/api/v1/organizations/${a}/members/${manager.id}`, { token: auditor.token })).status, 403);
  });

  t.test('the check reads current memberships, not what the token said at login', async (t) => {
    // A manager of its own: the other behaviours count on theirs staying one.
    const promoted = await staffMember(runtime, 'promoted@a.example');
    await addMember(runtime, a, ownerA, promoted, 'manager');
    const token = promoted.token;
    t.equal((await call(app, 'PATCH', `/api/v1/organizations/${a}`, { token, body: { description: 'not yet' } })).status, 403, 'a manager does not patch');
    t.equal((await call(app, 'PATCH', `/api/v1/organizations/${a}/members/${promoted.id}`, { token: ownerA.token, body: { role: 'admin' } })).status, 200);
    t.equal((await call(app, 'PATCH', `/api/v1/organizations/${a}`, { token, body: { description: 'promoted' } })).status, 200, 'promoted: the same token may now patch');
    t.equal((await call(app, 'DELETE', `/api/v1/organizations/${a}/members/${promoted.id}`, { token: ownerA.token })).status, 204);
    t.equal((await call(app, 'GET', `/api/v1/organizations/${a}`, { token })).status, 404, 'removed: the same token sees nothing');
  });

  t.test('a platform admin, created through the command line, passes every organization check', async (t) => {
    const created = await cli(runtime, 'admin', 'create', '--email', 'Root@Platform.example', '--password', 'root-password', '--first-name', 'Root');
    t.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    t.match(id, /^[0-9a-f-]{36}$/, 'prints the id');
    // The CLI only appends; this service's projector brings the admin into the read model.
    await eventually(async () => (await findUser(runtime.deps.db, id))?.platform_admin === true);
    t.equal((await findUser(runtime.deps.db, id))?.platform_admin, true);
    t.equal(await loginOf(runtime.deps.db, { email: 'root@platform.example' }), id);

    const root = await staffToken(runtime, id);
    const unverified = await cli(runtime, 'admin', 'create', '--email', 'root@platform.example', '--password', 'other-password');
    t.equal(unverified.code, 0, 'an email nobody verified is only a claim: it stops nobody');
    await verifyEmail(runtime, { id, email: 'root@platform.example', token: root });
    const again = await cli(runtime, 'admin', 'create', '--email', 'root@platform.example', '--password', 'root-password');
    t.equal(again.code, 1, 'an email someone verified is refused');
    t.match(again.stderr, /This email is already taken/);
    t.equal(again.stdout, '');
    const bad = await cli(runtime, 'admin', 'create', '--email', 'nope', '--password', 'short');
    t.equal(bad.code, 64);
    t.match(bad.stderr, /--email/);
    t.match(bad.stderr, /--password/);

    const all = await call(app, 'GET', '/api/v1/organizations', { token: root });
    t.same(all.body.map((o: { name: string }) => o.name).sort(), ['A', 'B'], 'every organization is listed');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${b}`, { token: root })).status, 200);
    t.equal((await call(app, 'GET', `/api/v1/organizations/${b}/members`, { token: root })).status, 200);
    t.equal((await call(app, 'PATCH', `/api/v1/organizations/${b}`, { token: root, body: { address: 'Checked' } })).status, 200);
    t.equal((await call(app, 'POST', `/api/v1/organizations/${b}/invitations`, { token: root, body: { email: 'auditor@a.example', role: 'owner' } })).status, 201, 'counts as an owner');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${randomUUID()}`, { token: root })).status, 404, 'a missing organization is still 404');
  });
});
