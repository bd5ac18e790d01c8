import { randomUUID } from 'node:crypto';
import t from 'tap';
import { placeStream } from '../../src/events/scheduling/place.js';
import { listParked } from '../../src/projections/parking.js';
import { placesProjection } from '../../src/projections/scheduling/places.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { rawStore } from '../helpers/raw-store.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { clinic } from '../helpers/scheduling.js';

// An event the places projection can never apply (it breaks a NOT NULL
// column), written straight into the log as a bug or an old release might
// have: the append check (src/store/validated.ts) would refuse it, so the raw
// store is used. It must cost organization A that one event, and nobody else anything.

const placesOf = (runtime: TestRuntime) => runtime.runners.find((r) => r.projection.name === 'places')!;

t.test('a poison event of organization A is parked: B’s and A’s new places still appear at once', async (t) => {
  const runtime = await startRuntime(t);
  const a = await clinic(runtime, 'Clinic A');
  const b = await clinic(runtime, 'Clinic B');

  const poison = randomUUID();
  const metadata = { actor: { kind: 'user' as const, id: a.owner.id }, correlationId: 'poison', causationId: 'poison' };
  const data = { placeId: poison, organizationId: a.org, name: null, address: '', description: '', createdAt: new Date().toISOString() };
  const written = await rawStore(t, runtime).append(placeStream(poison), [{ type: 'PlaceCreated', data, metadata }], { expectedVersion: 'no_stream' });
  await t.rejects(runtime.store.append(placeStream(randomUUID()), [{ type: 'PlaceCreated', data, metadata }], { expectedVersion: 'no_stream' }), /PlaceCreated.*\/name/, 'the service’s own store refuses to write it');

  const created = await call(runtime.app, 'POST', `/api/v1/organizations/${b.org}/places`, { token: b.owner.token, body: { name: 'Room B' } });
  t.equal(created.status, 201, 'B’s place is read back, not 202');
  t.match(created.body, { name: 'Room B', organization_id: b.org });
  const ofA = await call(runtime.app, 'POST', `/api/v1/organizations/${a.org}/places`, { token: a.owner.token, body: { name: 'Room A' } });
  t.equal(ofA.status, 201, 'and A’s next place too');

  t.match(placesOf(runtime).status(), { state: 'running', parked: 1 });
  const parked = await listParked(runtime.connection.db);
  t.match(parked, [{ projection: 'places', eventId: String, stream: placeStream(poison), version: 0, type: 'PlaceCreated', error: /null value in column "name"/ }]);
  t.equal(parked[0]?.position, `${written.position.commit}/${written.position.prepare}`);
  t.ok(runtime.logs.some((line) => line.includes('event parked') && line.includes(poison)), 'an error log line names the stream');
  const metrics = await runtime.app.inject({ method: 'GET', url: '/metrics' });
  t.match(metrics.body, /projection_parked_events\{projection="places"\} 1/, 'the metric shows it');
  t.match(metrics.body, /projection_parked_events\{projection="organizations"\} 0/);

  // A rebuild meets the same event and parks it again, instead of failing.
  const parkedInRebuild: string[] = [];
  await rebuildProjection(runtime.connection.db, runtime.store, placesProjection, { onParked: (e) => parkedInRebuild.push(e.stream) });
  t.same(parkedInRebuild, [placeStream(poison)]);
  t.equal((await listParked(runtime.connection.db, 'places')).length, 1, 'still one parked event, not two');
  const listed = await call(runtime.app, 'GET', `/api/v1/organizations/${b.org}/places`, { token: b.owner.token });
  t.same((listed.body as { name: string }[]).map((p) => p.name), ['Room B'], 'the rebuilt read model has B’s place');
});
