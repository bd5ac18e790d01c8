import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';
import { eventCount } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { clinic } from '../helpers/scheduling.js';
import { addMember, staffMember } from '../helpers/staff.js';

// Webhook endpoints over HTTP: owners and admins of an organization register,
// list, read, rotate and delete them; the signing secret is shown at
// registration (and rotation) only and is in no event and no log line; a URL
// that is not https, or whose host is not public, and unknown event types
// are refused with 400 and nothing appended. Deliveries themselves are
// test/workflows/webhooks-delivery.test.ts's.

// A public address as a literal (no DNS needed; TEST-NET-3, which no one answers); the endpoints here
// subscribe to reschedules, which nothing in this file makes, so nothing is
// ever posted to it.
const PUBLIC_URL = 'https://203.0.113.10/hooks';
const QUIET = ['appointment.rescheduled'];

t.test('webhooks', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const c = await clinic(runtime, 'Hooks');
  const other = await clinic(runtime, 'Elsewhere');
  const admin = await staffMember(runtime, 'admin@hooks.example');
  await addMember(runtime, c.org, c.owner, admin, 'admin');
  const specialist = await staffMember(runtime, 'specialist@hooks.example');
  await addMember(runtime, c.org, c.owner, specialist, 'specialist');

  const create = (token: string, body: Record<string, unknown>, org = c.org) => call(app, 'POST', `/api/v1/organizations/${org}/webhooks`, { token, body });

  t.test('registered by an owner: 201 with the secret once; lists and reads never show it again', async (t) => {
    const created = await create(c.owner.token, { url: PUBLIC_URL, event_types: QUIET, description: 'Dashboard' });
    t.equal(created.status, 201, JSON.stringify(created.body));
    t.match(created.body, { organization_id: c.org, url: PUBLIC_URL, event_types: QUIET, description: 'Dashboard', created_at: String });
    const secret = created.body.secret as string;
    t.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/, 'whsec_ and base64');
    t.equal(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32, 'a 256-bit key');

    const one = await call(app, 'GET', `/api/v1/webhooks/${created.body.id}`, { token: c.owner.token });
    t.equal(one.status, 200);
    t.notOk('secret' in one.body, 'not in a read');
    const list = await call(app, 'GET', `/api/v1/organizations/${c.org}/webhooks`, { token: admin.token });
    t.equal(list.status, 200);
    t.ok(list.body.some((w: { id: string }) => w.id === created.body.id), 'listed for an admin');
    t.notOk(JSON.stringify(list.body).includes(secret) || JSON.stringify(list.body).includes('"secret"'), 'not in the list');

    const events = await runtime.store.readStream(`webhook-${created.body.id}`);
    t.same(events.map((e) => e.type), ['WebhookRegistered']);
    t.notOk(JSON.stringify(events.map((e) => [e.data, e.metadata])).includes(secret.slice(6)), 'the secret is in no event');
    t.notOk(runtime.logs.some((line) => line.includes(secret.slice(6))), 'nor in any log line');
  });

  t.test('an admin registers too; the secret rotates, and the new one is shown once and differs', async (t) => {
    const created = await create(admin.token, { url: PUBLIC_URL, event_types: QUIET });
    t.equal(created.status, 201);
    t.equal(created.body.description, '', 'no description: empty');
    const rotated = await call(app, 'POST', `/api/v1/webhooks/${created.body.id}/secret`, { token: admin.token });
    t.equal(rotated.status, 200);
    t.match(rotated.body.secret, /^whsec_/);
    t.not(rotated.body.secret, created.body.secret, 'a new secret');
    const again = await call(app, 'POST', `/api/v1/webhooks/${created.body.id}/secret`, { token: admin.token });
    t.not(again.body.secret, rotated.body.secret, 'and another');
    t.same((await runtime.store.readStream(`webhook-${created.body.id}`)).map((e) => e.type), ['WebhookRegistered', 'WebhookSecretRotated', 'WebhookSecretRotated']);
  });

  t.test('deleted: 204, then gone from reads and the list', async (t) => {
    const created = await create(c.owner.token, { url: PUBLIC_URL, event_types: QUIET });
    const deleted = await call(app, 'DELETE', `/api/v1/webhooks/${created.body.id}`, { token: c.owner.token });
    t.equal(deleted.status, 204);
    t.equal((await call(app, 'GET', `/api/v1/webhooks/${created.body.id}`, { token: c.owner.token })).status, 404);
    const list = await call(app, 'GET', `/api/v1/organizations/${c.org}/webhooks`, { token: c.owner.token });
    t.notOk(list.body.some((w: { id: string }) => w.id === created.body.id));
    t.equal((await call(app, 'DELETE', `/api/v1/webhooks/${created.body.id}`, { token: c.owner.token })).status, 404, 'a second delete finds nothing');
  });

  t.test('another organization finds nothing (404); its other members are refused (403)', async (t) => {
    const created = await create(c.owner.token, { url: PUBLIC_URL, event_types: QUIET });
    const id = created.body.id as string;
    for (const [method, path] of [['GET', `/api/v1/webhooks/${id}`], ['GET', `/api/v1/webhooks/${id}/deliveries`], ['POST', `/api/v1/webhooks/${id}/secret`], ['DELETE', `/api/v1/webhooks/${id}`]] as const) {
      t.equal((await call(app, method, path, { token: other.owner.token })).status, 404, `${method} ${path}: another organization's owner`);
      t.equal((await call(app, method, path, { token: specialist.token })).status, 403, `${method} ${path}: a specialist of it`);
      t.equal((await call(app, method, path, { token: c.manager.token })).status, 403, `${method} ${path}: a manager of it`);
      t.equal((await call(app, method, path)).status, 401, `${method} ${path}: nobody`);
    }
    t.equal((await create(specialist.token, { url: PUBLIC_URL, event_types: QUIET })).status, 403, 'a specialist cannot register');
    t.equal((await create(other.owner.token, { url: PUBLIC_URL, event_types: QUIET }, c.org)).status, 404, 'nor another organization');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/webhooks`, { token: specialist.token })).status, 403, 'nor list');
    t.equal((await call(app, 'GET', `/api/v1/webhooks/${id}`, { token: c.owner.token })).status, 200, 'still there');
  });

  t.test('refused with 400, naming the field, and nothing appended', async (t) => {
    const refusals: [string, Record<string, unknown>, string][] = [
      ['plain http', { url: 'http://203.0.113.10/hooks', event_types: QUIET }, 'url'],
      ['not a URL', { url: 'hooks.example.com', event_types: QUIET }, 'url'],
      ['credentials in the URL', { url: 'https://user:pass@203.0.113.10/hooks', event_types: QUIET }, 'url'],
      ['an unknown event type', { url: PUBLIC_URL, event_types: ['appointment.deleted'] }, 'event_types'],
      ['no event type', { url: PUBLIC_URL, event_types: [] }, 'event_types'],
      ['an event type twice', { url: PUBLIC_URL, event_types: ['client.created', 'client.created'] }, 'event_types'],
      ['a name that does not resolve', { url: 'https://no-such-host.invalid/hooks', event_types: QUIET }, 'url'],
    ];
    // Every class of address a webhook may not reach, as a literal and through a name.
    const inside: [string, string][] = [
      ['private 10/8', '10.1.2.3'],
      ['private 172.16/12', '172.20.0.5'],
      ['private 192.168/16', '192.168.1.10'],
      ['loopback 127/8', '127.0.0.1'],
      ['loopback elsewhere in 127/8', '127.8.9.10'],
      ['IPv6 loopback', '[::1]'],
      ['link-local', '169.254.10.20'],
      ['the cloud metadata address', '169.254.169.254'],
      ['IPv6 link-local', '[fe80::1]'],
      ['IPv6 unique local', '[fd12:3456::1]'],
      ['unspecified', '0.0.0.0'],
      ['IPv6 unspecified', '[::]'],
      ['carrier-grade NAT', '100.64.1.1'],
      ['multicast', '224.0.0.251'],
      ['IPv6 multicast', '[ff02::1]'],
      ['IPv4-mapped loopback', '[::ffff:127.0.0.1]'],
      ['IPv4-mapped metadata', '[::ffff:169.254.169.254]'],
      ['IPv4-mapped private', '[::ffff:10.0.0.1]'],
      ['a host name resolving to loopback', 'localhost'],
    ];
    for (const [what, host] of inside) refusals.push([what, { url: `https://${host}/hooks`, event_types: QUIET }, 'url']);
    for (const [what, body, field] of refusals) {
      const before = await eventCount(runtime);
      const refused = await create(c.owner.token, body);
      t.equal(refused.status, 400, `${what}: 400`);
      t.ok(Array.isArray(refused.body.errors?.[field]), `${what}: names ${field} (${JSON.stringify(refused.body)})`);
      t.equal(await eventCount(runtime), before, `${what}: nothing appended`);
    }
  });

  t.test('the OpenAPI document names each operation and shows an example of each body and reply', async (t) => {
    const document = (await call(app, 'GET', '/docs/json')).body;
    const operations: [string, string, string, string][] = [
      ['post', '/api/v1/organizations/{org}/webhooks', 'createWebhook', '201'],
      ['get', '/api/v1/organizations/{org}/webhooks', 'listWebhooks', '200'],
      ['get', '/api/v1/webhooks/{id}', 'getWebhook', '200'],
      ['delete', '/api/v1/webhooks/{id}', 'deleteWebhook', '204'],
      ['post', '/api/v1/webhooks/{id}/secret', 'rotateWebhookSecret', '200'],
      ['get', '/api/v1/webhooks/{id}/deliveries', 'listWebhookDeliveries', '200'],
    ];
    for (const [method, path, operationId, status] of operations) {
      const operation = document.paths[path]?.[method];
      t.match(operation, { operationId, summary: String, tags: ['webhooks'] }, `${method.toUpperCase()} ${path}`);
      t.ok(operation?.responses?.[status]?.description, `${operationId}: its ${status} is described`);
      if (status !== '204') t.ok(JSON.stringify(operation?.responses?.[status]).includes('example'), `${operationId}: its ${status} has an example`);
    }
    t.ok(JSON.stringify(document.paths['/api/v1/organizations/{org}/webhooks'].post.requestBody).includes('example'), 'the request body has an example');
  });

  t.test('the delivery log: empty at first, paged by a cursor it gave; any other cursor is a 400', async (t) => {
    const created = await create(c.owner.token, { url: PUBLIC_URL, event_types: QUIET });
    const empty = await call(app, 'GET', `/api/v1/webhooks/${created.body.id}/deliveries`, { token: c.owner.token });
    t.equal(empty.status, 200);
    t.same(empty.body, { items: [], next: null });
    const bad = await call(app, 'GET', `/api/v1/webhooks/${created.body.id}/deliveries?cursor=bm90LWEtY3Vyc29y`, { token: c.owner.token });
    t.equal(bad.status, 400);
    t.ok(bad.body.errors?.cursor);
  });
});

t.test('with WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true, this host and http are accepted (development, tests)', async (t) => {
  const runtime = await startRuntime(t, { env: { WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' } });
  const c = await clinic(runtime, 'Local');
  const created = await call(runtime.app, 'POST', `/api/v1/organizations/${c.org}/webhooks`, { token: c.owner.token, body: { url: 'http://127.0.0.1:9/hooks', event_types: QUIET } });
  t.equal(created.status, 201, JSON.stringify(created.body));
});

t.test('WEBHOOKS_ALLOW_PRIVATE_NETWORKS is true or false, nothing else', async (t) => {
  t.equal(loadConfig({}).webhooks.allowPrivateNetworks, false, 'refused unless said');
  t.equal(loadConfig({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' }).webhooks.allowPrivateNetworks, true);
  t.throws(() => loadConfig({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'yes' }), ConfigError);
});
