import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import { userDecider } from '../../src/commands/identity/user.js';
import { AUDIT_ANCHORS, type LogAnchoredData } from '../../src/events/audit/anchors.js';
import { clientAuditStream } from '../../src/events/clients/client-audit.js';
import { clientStream } from '../../src/events/clients/client.js';
import { userStream } from '../../src/events/identity/user.js';
import { placeStream } from '../../src/events/scheduling/place.js';
import type { CatalogedEventStore } from '../../src/store/cataloged.js';
import { anchorLog } from '../../src/workflows/audit/anchor-log.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { person } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { staffMember, type StaffMember } from '../helpers/staff.js';
import { systemMetadata, visible } from '../helpers/store-events.js';

// What an auditor reads over HTTP: the log's anchors (platform admins only),
// and each history entry's hash, the one the log holds.

async function platformAdmin(runtime: TestRuntime): Promise<StaffMember> {
  const admin = await staffMember(runtime, uniqueEmail('root', 'platform.test'));
  const { position } = await runtime.deps.handle(
    userDecider,
    userStream(admin.id),
    { type: 'GrantPlatformAdmin', data: { userId: admin.id, now: new Date().toISOString() } },
    { actor: { kind: 'system' }, correlationId: 'test', causationId: 'test' },
  );
  await runtime.deps.awaitProjections(position, ['users']);
  return admin;
}

const placeCreated = () => ({
  type: 'PlaceCreated',
  data: { placeId: randomUUID(), organizationId: randomUUID(), name: 'Room', address: '', description: '', createdAt: new Date().toISOString() },
  metadata: systemMetadata(),
});

t.test('GET /audit/anchors: newest first, to platform admins only', async (t) => {
  const runtime = await startRuntime(t);
  const store = runtime.store as CatalogedEventStore;
  const admin = await platformAdmin(runtime);
  const staff = await staffMember(runtime, uniqueEmail('staff'));
  const client = await person(runtime, uniquePhone());
  // Besides whatever the reactor anchored, two anchors by hand.
  for (let i = 0; i < 2; i++) {
    await visible(store, (await store.append(placeStream(randomUUID()), [placeCreated()], { expectedVersion: 'no_stream' })).position);
    await anchorLog(store, new Date());
  }
  const stored = (await store.readStream(AUDIT_ANCHORS)).reverse();
  t.ok(stored.length >= 2);

  t.equal((await call(runtime.app, 'GET', '/api/v1/audit/anchors')).status, 401, 'anonymous');
  t.equal((await call(runtime.app, 'GET', '/api/v1/audit/anchors', { token: staff.token })).status, 403, 'staff who are not platform admins');
  t.equal((await call(runtime.app, 'GET', '/api/v1/audit/anchors', { token: client.token })).status, 403, 'clients');

  const listed = await call(runtime.app, 'GET', '/api/v1/audit/anchors', { token: admin.token });
  t.equal(listed.status, 200);
  t.same(
    listed.body.items,
    stored.map((e) => {
      const data = e.data as LogAnchoredData;
      return { version: e.version, up_to: data.upTo, events: data.events, digest: data.digest, previous_digest: data.previousDigest, anchored_at: data.anchoredAt };
    }),
    'every anchor, newest first',
  );
  t.equal(listed.body.next, null);

  const page = await call(runtime.app, 'GET', '/api/v1/audit/anchors?limit=1', { token: admin.token });
  t.same(page.body.items.map((a: { version: number }) => a.version), [stored[0]!.version]);
  t.equal(page.body.next, stored[0]!.version);
  const older = await call(runtime.app, 'GET', `/api/v1/audit/anchors?limit=1&before=${page.body.next}`, { token: admin.token });
  t.same(older.body.items.map((a: { version: number }) => a.version), [stored[1]!.version], 'the next page: older ones');
});

t.test('GET /clients/{id}/history: each entry carries the hash the log holds', async (t) => {
  const runtime = await startRuntime(t);
  const store = runtime.store as CatalogedEventStore;
  const client = await person(runtime, uniquePhone());
  const history = await call(runtime.app, 'GET', `/api/v1/clients/${client.id}/history`, { token: client.token });
  t.equal(history.status, 200);
  const stored = new Map(
    [...(await store.raw.readStream(clientStream(client.id))), ...(await store.raw.readStream(clientAuditStream(client.id)))].map((e) => [e.id, e.metadata.hash]),
  );
  t.ok(history.body.items.length >= 2);
  for (const entry of history.body.items as { id: string; type: string; hash: string }[]) {
    t.match(entry.hash, /^[0-9a-f]{64}$/, entry.type);
    t.equal(entry.hash, stored.get(entry.id), `${entry.type}: the stored hash`);
  }

  // A stream written before events carried hashes (here: its hashes taken away): each entry's hash
  // is computed from the stream as written, which gives back the same values.
  await sql`UPDATE events SET metadata = metadata - 'hash' WHERE stream_id = ${clientStream(client.id)}`.execute(runtime.connection.db);
  const again = await call(runtime.app, 'GET', `/api/v1/clients/${client.id}/history`, { token: client.token });
  const accountIds = new Set((await store.raw.readStream(clientStream(client.id))).map((e) => e.id));
  const account = (again.body.items as { id: string; hash: string }[]).filter((entry) => accountIds.has(entry.id));
  t.ok(account.length >= 2);
  for (const entry of account) t.equal(entry.hash, stored.get(entry.id), 'computed as audit verify computes it');
  t.equal((await store.raw.readStream(clientStream(client.id)))[0]!.metadata.hash, undefined, 'the stream carries no hash now');
});
