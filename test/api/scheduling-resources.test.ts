import t from 'tap';
import { bookAppointment } from '../../src/workflows/scheduling/booking.js';
import { createCommandHandler } from '../../src/commands/handler.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, place, rub, specialist } from '../helpers/scheduling.js';
import { addMember, staffMember } from '../helpers/staff.js';

// Places, specialists and working hours through HTTP, who may touch them;
// and the booking invariant when two processes (two command handlers, no
// shared in-process queue) race for one slot.

t.test('places: staff only, edited by owners and admins, removed ones cannot be booked', async (t) => {
  const clock = new Date('2026-06-01T06:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const c = await clinic(runtime);
  const auditor = await staffMember(runtime, 'auditor@clinic.example');
  await addMember(runtime, c.org, c.owner, auditor, 'auditor');
  const stranger = await staffMember(runtime, 'stranger@elsewhere.example');

  const created = await call(app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.owner.token, body: { name: 'Room 1', address: 'Lenina 1, floor 2' } });
  t.equal(created.status, 201);
  t.match(created.body, { organization_id: c.org, name: 'Room 1', address: 'Lenina 1, floor 2', description: '' });
  const id = created.body.id as string;
  t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.manager.token, body: { name: 'Room 2' } })).status, 403, 'a manager does not add places');
  t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.owner.token, body: {} })).status, 400);
  t.same((await call(app, 'GET', `/api/v1/organizations/${c.org}/places`, { token: auditor.token })).body.map((p: { id: string }) => p.id), [id]);
  t.equal((await call(app, 'GET', `/api/v1/places/${id}`, { token: auditor.token })).status, 200);
  t.equal((await call(app, 'GET', `/api/v1/places/${id}`, { token: stranger.token })).status, 404, 'other organizations see nothing');
  t.equal((await call(app, 'GET', `/api/v1/places/${id}`)).status, 401);
  t.equal((await call(app, 'PATCH', `/api/v1/places/${id}`, { token: auditor.token, body: { name: 'x' } })).status, 403);
  const renamed = await call(app, 'PATCH', `/api/v1/places/${id}`, { token: c.owner.token, body: { name: 'Cabinet 1' } });
  t.match(renamed.body, { name: 'Cabinet 1', address: 'Lenina 1, floor 2' });

  const doctor = await specialist(runtime, c, 'Dr Ivanova', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: id }]), min_notice_minutes: 0 });
  const alice = await client(runtime, '+79517586201', c);
  t.equal((await call(app, 'DELETE', `/api/v1/places/${id}`, { token: c.manager.token })).status, 403);
  t.equal((await call(app, 'DELETE', `/api/v1/places/${id}`, { token: c.owner.token })).status, 204);
  t.equal((await call(app, 'GET', `/api/v1/places/${id}`, { token: c.owner.token })).status, 404);
  const closed = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-06-10T10:00:00+03:00' });
  t.same(closed.body.errors, { place_id: ['No place of this organization with this id.'] }, 'a removed place takes no bookings');
  t.same((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?date=2026-06-10&duration=60`)).body, [], 'and offers no slots');
});

t.test('specialists: public lists, staff details, hours checked and shown', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const c = await clinic(runtime);
  const doctorUser = await staffMember(runtime, 'doc@clinic.example');
  await addMember(runtime, c.org, c.owner, doctorUser, 'specialist');
  const room = await place(runtime, c, 'Room 1');
  const other = await clinic(runtime, 'Other');
  const otherRoom = await place(runtime, other, 'Elsewhere');

  const created = await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.owner.token, body: { name: 'Dr Ivanova', specialty: 'therapist', phone: '8 (951) 758-62-84', user_id: doctorUser.id } });
  t.equal(created.status, 201);
  t.match(created.body, { name: 'Dr Ivanova', specialty: 'therapist', phone: '+79517586284', user_id: doctorUser.id, time_zone: null });
  const id = created.body.id as string;
  const notMember = await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.owner.token, body: { name: 'X', user_id: other.owner.id } });
  t.same(notMember.body.errors, { user_id: ['No staff member of this organization with this id.'] });
  t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.manager.token, body: { name: 'Y' } })).status, 403);

  const publicList = await call(app, 'GET', `/api/v1/organizations/${c.org}/specialists`);
  t.equal(publicList.status, 200, 'the list is public');
  t.same(Object.keys(publicList.body[0]).sort(), ['created_at', 'id', 'name', 'organization_id', 'specialty', 'time_zone', 'updated_at'], 'without phone or account');
  t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/specialists`, { token: c.manager.token })).body[0].phone, '+79517586284', 'staff see the phone');
  t.equal((await call(app, 'GET', `/api/v1/specialists/${id}`, { token: other.owner.token })).body.phone, undefined, 'other organizations do not');
  t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/specialists?specialty=surgeon`)).body.length, 0);

  const bad = await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, {
    token: c.owner.token,
    body: { time_zone: 'Mars/Olympus', weekly: [{ weekday: 1, start: '09:00', end: '13:00', place_id: otherRoom }, { weekday: 1, start: '12:00', end: '14:00' }, { weekday: 8, start: '25:00', end: '10:00' }] },
  });
  t.equal(bad.status, 400);
  t.ok(bad.body.errors['weekly.2.weekday'] && bad.body.errors['weekly.2.start'], 'schema errors first');
  const bad2 = await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, {
    token: c.owner.token,
    body: { time_zone: 'Mars/Olympus', weekly: [{ weekday: 1, start: '09:00', end: '13:00', place_id: otherRoom }, { weekday: 1, start: '12:00', end: '14:00' }] },
  });
  t.same(Object.keys(bad2.body.errors).sort(), ['time_zone', 'weekly.0.place_id', 'weekly.1'], 'then every rule of the document at once');

  const body = {
    time_zone: 'Europe/Moscow',
    weekly: [{ weekday: 1, start: '09:00', end: '13:00', place_id: room }, { weekday: 1, start: '14:00', end: '18:00', place_id: room }, { weekday: 5, start: '22:00', end: '02:00' }],
    exceptions: [{ date: '2026-12-31', intervals: [] }],
    slot_step_minutes: 30,
    buffer_after_minutes: 10,
  };
  t.equal((await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, { token: c.manager.token, body })).status, 403, 'a manager does not set hours');
  const set = await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, { token: c.owner.token, body });
  t.equal(set.status, 200);
  const expected = {
    specialist_id: id,
    time_zone: 'Europe/Moscow',
    weekly: body.weekly.map((w) => ({ place_id: null, ...w })),
    exceptions: body.exceptions,
    slot_step_minutes: 30,
    buffer_before_minutes: 0,
    buffer_after_minutes: 10,
    min_notice_minutes: 60,
    horizon_days: 60,
  };
  t.same(set.body, expected, 'defaults filled in');
  t.same((await call(app, 'GET', `/api/v1/specialists/${id}/working-hours`, { token: doctorUser.token })).body, expected, 'staff read them back');
  t.equal((await call(app, 'GET', `/api/v1/specialists/${id}/working-hours`)).status, 401, 'hours are staff only');
  t.equal((await call(app, 'GET', `/api/v1/specialists/${id}`)).body.time_zone, 'Europe/Moscow');

  t.equal((await call(app, 'PATCH', `/api/v1/specialists/${id}`, { token: c.owner.token, body: { specialty: 'surgeon', phone: null } })).body.phone, null);
  t.equal((await call(app, 'DELETE', `/api/v1/specialists/${id}`, { token: c.owner.token })).status, 204);
  t.equal((await call(app, 'GET', `/api/v1/specialists/${id}`)).status, 404);
  t.equal((await call(app, 'GET', `/api/v1/specialists/${id}/slots?date=2026-12-07&duration=30`)).status, 404);
  t.same((await call(app, 'GET', `/api/v1/organizations/${c.org}/specialists`)).body, []);
});

t.test('two processes racing for one slot: the optimistic append lets exactly one through', async (t) => {
  const clock = new Date('2026-06-01T06:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const c = await clinic(runtime);
  const doctor = await specialist(runtime, c, 'Dr Ivanova', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), min_notice_minutes: 0 });
  const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => client(runtime, `+795175863${String(i).padStart(2, '0')}`, c)));
  const { store, newId } = runtime.deps;
  // Each "process" has its own handler: nothing serializes them but the store.
  const processes = [createCommandHandler(store), createCommandHandler(store)];
  const metadata = { actor: { kind: 'user' as const, id: c.manager.id }, correlationId: 'race', causationId: 'race' };
  const results = await Promise.allSettled(
    clients.map((cl, i) =>
      bookAppointment({ handle: processes[i % 2]!, store, newId }, {
        appointmentId: newId(), organizationId: c.org, client: { kind: 'record', recordId: cl.record! }, specialistId: doctor, placeId: null,
        start: Date.parse('2026-06-10T10:00:00+03:00') + (i % 3) * 20 * 60_000, durationMinutes: 60,
        service: '', cost: rub(1), bookedBy: { kind: 'user', id: c.manager.id }, now: clock,
      }, metadata),
    ),
  );
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one of twenty overlapping bookings wins');
  t.ok(results.every((r) => r.status === 'fulfilled' || (r.reason as { kind?: string }).kind === 'conflict'), 'the others are conflicts');
});
