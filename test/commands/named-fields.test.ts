import t from 'tap';
import { organizationDecider } from '../../src/commands/organizations/organization.js';
import { placeDecider } from '../../src/commands/scheduling/place.js';
import { clientRecordDecider } from '../../src/commands/clients/client-record.js';
import { scheduleDecider } from '../../src/commands/scheduling/schedule.js';
import type { OrganizationEvent } from '../../src/events/organizations/organization.js';
import { organizationStream } from '../../src/events/organizations/organization.js';
import type { PlaceEvent } from '../../src/events/scheduling/place.js';
import { placeStream } from '../../src/events/scheduling/place.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { clinic, place } from '../helpers/scheduling.js';

// A command's details or changes come from a request body. Whatever a route
// let through, a decider copies into its event only the fields the event names.

const now = '2026-11-29T10:00:00.000Z';
const org = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const other = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const placeId = '7c0a1e2b-3d4f-4a5b-8c6d-7e8f9a0b1c2d';

t.test('deciders drop fields their events do not name', async (t) => {
  const created: PlaceEvent = { type: 'PlaceCreated', data: { placeId, organizationId: org, name: 'Room', address: '', description: '', createdAt: now } };
  const smuggled = { name: 'Room 2', organizationId: other, no_such_column: 'x' } as never;
  const [updated] = placeDecider.decide({ type: 'UpdatePlace', data: { changes: smuggled, now } }, [created].reduce(placeDecider.evolve, placeDecider.initialState()));
  t.strictSame(updated?.data, { placeId, organizationId: org, changes: { name: 'Room 2' }, updatedAt: now });

  const details = { name: 'Clinic', description: '', address: '', numbers: {}, links: {}, plan: 'gold' } as never;
  const [orgCreated] = organizationDecider.decide({ type: 'CreateOrganization', data: { organizationId: org, details, creatorId: other, now } }, organizationDecider.initialState());
  t.notOk('plan' in (orgCreated?.data ?? {}), 'nothing unnamed in a created organization');
  const state = organizationDecider.evolve(organizationDecider.initialState(), orgCreated as OrganizationEvent);
  const [orgUpdated] = organizationDecider.decide({ type: 'UpdateOrganization', data: { organizationId: org, changes: { name: 'New', members: { [other]: 'owner' } } as never, now } }, state);
  t.strictSame(orgUpdated?.data, { organizationId: org, changes: { name: 'New' }, updatedAt: now });

  const profile = { firstName: 'A', lastName: 'B', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: '', links: {}, clientId: other } as never;
  const [opened] = clientRecordDecider.decide({ type: 'OpenRecord', data: { recordId: placeId, organizationId: org, phone: '+79990000000', profile, openedBy: 'staff', now } }, clientRecordDecider.initialState());
  t.notOk('clientId' in ((opened?.data as { profile: object }).profile), 'a record profile carries no account');

  const start = '2026-12-01T09:00:00.000Z';
  const end = '2026-12-01T10:00:00.000Z';
  const terms = { service: 'Massage', cost: null, bookedBy: { kind: 'user', id: other }, discount: 100 };
  const claim = { claimId: 'c1', appointmentId: placeId, organizationId: org, basis: -1, day: '2026-12-01', days: ['2026-12-01'], specialistId: other, placeId: null, clientId: other, start, end, timeZone: 'UTC', bufferBeforeMinutes: 0, bufferAfterMinutes: 0, terms, status: 'confirmed' } as never;
  const working = [{ start: Date.parse(start), end: Date.parse(end), placeId: null }];
  const [claimed] = scheduleDecider.decide({ type: 'ClaimSlot', data: { claim, working, now } }, scheduleDecider.initialState());
  t.notOk('status' in (claimed?.data ?? {}), 'a claim carries no status of its own');
  t.strictSame((claimed?.data as { terms: object }).terms, { service: 'Massage', cost: null, bookedBy: { kind: 'user', id: other } }, 'nor terms nobody named');
});

t.test('over HTTP: a PATCH with fields nobody named changes nothing but the named ones, and writes none of them', async (t) => {
  const runtime = await startRuntime(t);
  const a = await clinic(runtime, 'Clinic A');
  const b = await clinic(runtime, 'Clinic B');
  const room = await place(runtime, a, 'Room');

  const moved = await call(runtime.app, 'PATCH', `/api/v1/places/${room}`, { token: a.owner.token, body: { name: 'Room 2', organization_id: b.org, organizationId: b.org, no_such_column: 'x' } });
  t.ok([200, 400].includes(moved.status), `refused or stripped (${moved.status})`);
  const placeLog = JSON.stringify((await runtime.store.readStream(placeStream(room))).map((e) => e.data));
  t.notMatch(placeLog, /no_such_column|organization_id/, 'no unnamed field in the place’s events');
  t.notMatch(placeLog, new RegExp(b.org), 'the place was never moved to another organization');
  t.equal((await call(runtime.app, 'GET', `/api/v1/places/${room}`, { token: a.owner.token })).status, 200, 'still A’s place');
  t.equal((await call(runtime.app, 'GET', `/api/v1/places/${room}`, { token: b.owner.token })).status === 200, false, 'never B’s');
  t.equal((await call(runtime.app, 'POST', `/api/v1/organizations/${a.org}/places`, { token: a.owner.token, body: { name: 'Room 3' } })).status, 201, 'the places projection still applies new places');

  const changed = await call(runtime.app, 'PATCH', `/api/v1/organizations/${a.org}`, { token: a.owner.token, body: { name: 'Clinic A+', plan: 'gold', members: { x: 'owner' }, numbers: { main: '+79990000000' } } });
  t.ok([200, 400].includes(changed.status), `refused or stripped (${changed.status})`);
  const orgLog = JSON.stringify((await runtime.store.readStream(organizationStream(a.org))).map((e) => e.data));
  t.notMatch(orgLog, /plan|gold|"x"/, 'no arbitrary JSON in the organization’s events');
});
