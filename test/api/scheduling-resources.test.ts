import t from 'tap';
import { bookAppointment } from '../../src/workflows/scheduling/booking.js';
import { createCommandHandler } from '../../src/commands/handler.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, place, rub, specialist } from '../helpers/scheduling.js';
import { addMember, staffMember } from '../helpers/staff.js';

// Places, specialists and working hours through HTTP, who may touch them;
// and the booking invariant when two processes (two command handlers, no
// shared in-process queue) race for one slot. Each behaviour builds its own
// clinic on a runtime shared with its group.

let clinics = 0;
const hoursIn = (room: string) => ({ time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });

t.test('places', async (t) => {
  const clock = new Date('2026-06-01T06:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;

  // One clinic for the behaviours that read no whole list of the clinic (a clinic is costly to make).
  const shared = await clinic(runtime, 'Places');

  /** The owner added a room at Lenina 1 (in a clinic of its own, if `alone`). */
  async function withRoom(alone = false) {
    const n = ++clinics;
    const c = alone ? await clinic(runtime, `Clinic ${n}`) : shared;
    const created = await call(app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.owner.token, body: { name: `Room ${n}`, address: 'Lenina 1, floor 2' } });
    if (created.status !== 201) throw new Error(`adding a place: ${created.status} ${JSON.stringify(created.body)}`);
    return { n, c, id: created.body.id as string };
  }
  async function auditorOf(n: number, c: Awaited<ReturnType<typeof clinic>>) {
    const auditor = await staffMember(runtime, `auditor@clinic-${n}.example`);
    await addMember(runtime, c.org, c.owner, auditor, 'auditor');
    return auditor;
  }

  t.test('an owner adds one', async (t) => {
    const c = shared;
    const created = await call(app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.owner.token, body: { name: 'Room 1', address: 'Lenina 1, floor 2' } });
    t.equal(created.status, 201);
    t.match(created.body, { organization_id: c.org, name: 'Room 1', address: 'Lenina 1, floor 2', description: '' });
  });

  t.test('a manager does not add one (403)', async (t) => {
    const c = shared;
    t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.manager.token, body: { name: 'Room 2' } })).status, 403, 'a manager does not add places');
  });

  t.test('one needs a name (400)', async (t) => {
    const c = shared;
    t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.owner.token, body: {} })).status, 400);
  });

  t.test('staff of any role list and read them', async (t) => {
    const { n, c, id } = await withRoom(true);
    const auditor = await auditorOf(n, c);
    t.same((await call(app, 'GET', `/api/v1/organizations/${c.org}/places`, { token: auditor.token })).body.map((p: { id: string }) => p.id), [id]);
    t.equal((await call(app, 'GET', `/api/v1/places/${id}`, { token: auditor.token })).status, 200);
  });

  t.test('other organizations see nothing (404)', async (t) => {
    const { n, id } = await withRoom();
    const stranger = await staffMember(runtime, `stranger@elsewhere-${n}.example`);
    t.equal((await call(app, 'GET', `/api/v1/places/${id}`, { token: stranger.token })).status, 404, 'other organizations see nothing');
  });

  t.test('without a token, 401', async (t) => {
    const { id } = await withRoom();
    t.equal((await call(app, 'GET', `/api/v1/places/${id}`)).status, 401);
  });

  t.test('an auditor does not edit one (403)', async (t) => {
    const { n, c, id } = await withRoom();
    const auditor = await auditorOf(n, c);
    t.equal((await call(app, 'PATCH', `/api/v1/places/${id}`, { token: auditor.token, body: { name: 'x' } })).status, 403);
  });

  t.test('an owner renames one; the address stays', async (t) => {
    const { c, id } = await withRoom();
    const renamed = await call(app, 'PATCH', `/api/v1/places/${id}`, { token: c.owner.token, body: { name: 'Cabinet 1' } });
    t.match(renamed.body, { name: 'Cabinet 1', address: 'Lenina 1, floor 2' });
  });

  t.test('a manager does not remove one (403)', async (t) => {
    const { c, id } = await withRoom();
    t.equal((await call(app, 'DELETE', `/api/v1/places/${id}`, { token: c.manager.token })).status, 403);
  });

  t.test('an owner removes one, and it is gone', async (t) => {
    const { c, id } = await withRoom();
    t.equal((await call(app, 'DELETE', `/api/v1/places/${id}`, { token: c.owner.token })).status, 204);
    t.equal((await call(app, 'GET', `/api/v1/places/${id}`, { token: c.owner.token })).status, 404);
  });

  t.test('a removed one takes no bookings and offers no slots', async (t) => {
    const { c, id } = await withRoom();
    const doctor = await specialist(runtime, c, 'Dr Ivanova', hoursIn(id));
    const alice = await client(runtime, `+7951758${String(clinics).padStart(4, '0')}`, c);
    t.equal((await call(app, 'DELETE', `/api/v1/places/${id}`, { token: c.owner.token })).status, 204, 'given the place removed');
    const closed = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-06-10T10:00:00+03:00' });
    t.same(closed.body.errors, { place_id: ['No place of this organization with this id.'] }, 'a removed place takes no bookings');
    t.same((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?date=2026-06-10&duration=60`)).body, [], 'and offers no slots');
  });
});

t.test('specialists', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const specialists = (org: string, query = '', token?: string) => call(app, 'GET', `/api/v1/organizations/${org}/specialists${query}`, token ? { token } : {});

  // One clinic for the behaviours that read no whole list of the clinic, and one other (clinics are costly to make).
  const shared = await clinic(runtime, 'Specialists');
  const other = await clinic(runtime, 'Other');

  /** Dr Ivanova, whose account is a specialist member of the clinic (of its own, if `alone`). */
  async function withDoctor(alone = false) {
    const n = ++clinics;
    const c = alone ? await clinic(runtime, `Clinic ${n}`) : shared;
    const doctorUser = await staffMember(runtime, `doc@clinic-${n}.example`);
    await addMember(runtime, c.org, c.owner, doctorUser, 'specialist');
    const created = await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.owner.token, body: { name: 'Dr Ivanova', specialty: 'therapist', phone: '8 (951) 758-62-84', user_id: doctorUser.id } });
    return { n, c, doctorUser, created, id: created.body.id as string };
  }

  /** Working hours in a room of the clinic, and the document the api gives back for them. */
  async function hoursOf(c: Awaited<ReturnType<typeof clinic>>, id: string) {
    const room = await place(runtime, c, `Room ${id}`);
    const body = {
      time_zone: 'Europe/Moscow',
      weekly: [{ weekday: 1, start: '09:00', end: '13:00', place_id: room }, { weekday: 1, start: '14:00', end: '18:00', place_id: room }, { weekday: 5, start: '22:00', end: '02:00' }],
      exceptions: [{ date: '2026-12-31', intervals: [] }],
      slot_step_minutes: 30,
      buffer_after_minutes: 10,
    };
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
    return { body, expected };
  }
  async function withHours(alone = false) {
    const w = await withDoctor(alone);
    const { body, expected } = await hoursOf(w.c, w.id);
    const set = await call(app, 'PUT', `/api/v1/specialists/${w.id}/working-hours`, { token: w.c.owner.token, body });
    if (set.status !== 200) throw new Error(`setting hours: ${set.status} ${JSON.stringify(set.body)}`);
    return { ...w, expected };
  }

  t.test('an owner adds one, with the account of a member and a phone made canonical', async (t) => {
    const { created, doctorUser } = await withDoctor();
    t.equal(created.status, 201);
    t.match(created.body, { name: 'Dr Ivanova', specialty: 'therapist', phone: '+79517586284', user_id: doctorUser.id, time_zone: null });
  });

  t.test('the account must be a staff member of the organization', async (t) => {
    const c = shared;
    const notMember = await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.owner.token, body: { name: 'X', user_id: other.owner.id } });
    t.same(notMember.body.errors, { user_id: ['No staff member of this organization with this id.'] });
  });

  t.test('a manager does not add one (403)', async (t) => {
    const c = shared;
    t.equal((await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.manager.token, body: { name: 'Y' } })).status, 403);
  });

  t.test('the list is public, without phone or account', async (t) => {
    const { c } = await withDoctor(true);
    const publicList = await specialists(c.org);
    t.equal(publicList.status, 200, 'the list is public');
    t.same(Object.keys(publicList.body[0]).sort(), ['created_at', 'id', 'name', 'organization_id', 'specialty', 'time_zone', 'updated_at'], 'without phone or account');
  });

  t.test('staff see the phone', async (t) => {
    const { c } = await withDoctor(true);
    t.equal((await specialists(c.org, '', c.manager.token)).body[0].phone, '+79517586284', 'staff see the phone');
  });

  t.test('other organizations do not see the phone', async (t) => {
    const { id } = await withDoctor();
    t.equal((await call(app, 'GET', `/api/v1/specialists/${id}`, { token: other.owner.token })).body.phone, undefined, 'other organizations do not');
  });

  t.test('the list filters by specialty', async (t) => {
    const { c } = await withDoctor(true);
    t.equal((await specialists(c.org, '?specialty=surgeon')).body.length, 0);
  });

  t.test('working hours: schema errors come first (400)', async (t) => {
    const { c, id } = await withDoctor();
    const otherRoom = await place(runtime, other, 'Elsewhere');
    const bad = await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, {
      token: c.owner.token,
      body: { time_zone: 'Mars/Olympus', weekly: [{ weekday: 1, start: '09:00', end: '13:00', place_id: otherRoom }, { weekday: 1, start: '12:00', end: '14:00' }, { weekday: 8, start: '25:00', end: '10:00' }] },
    });
    t.equal(bad.status, 400);
    t.ok(bad.body.errors['weekly.2.weekday'] && bad.body.errors['weekly.2.start'], 'schema errors first');
  });

  t.test('working hours: then every rule of the document at once', async (t) => {
    const { c, id } = await withDoctor();
    const otherRoom = await place(runtime, other, 'Elsewhere');
    const bad2 = await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, {
      token: c.owner.token,
      body: { time_zone: 'Mars/Olympus', weekly: [{ weekday: 1, start: '09:00', end: '13:00', place_id: otherRoom }, { weekday: 1, start: '12:00', end: '14:00' }] },
    });
    t.same(Object.keys(bad2.body.errors).sort(), ['time_zone', 'weekly.0.place_id', 'weekly.1'], 'then every rule of the document at once');
  });

  t.test('working hours: a manager does not set them (403)', async (t) => {
    const { c, id } = await withDoctor();
    const { body } = await hoursOf(c, id);
    t.equal((await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, { token: c.manager.token, body })).status, 403, 'a manager does not set hours');
  });

  t.test('working hours: an owner sets them, with defaults filled in', async (t) => {
    const { c, id } = await withDoctor();
    const { body, expected } = await hoursOf(c, id);
    const set = await call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, { token: c.owner.token, body });
    t.equal(set.status, 200);
    t.same(set.body, expected, 'defaults filled in');
  });

  t.test('working hours: staff read them back', async (t) => {
    const { id, doctorUser, expected } = await withHours();
    t.same((await call(app, 'GET', `/api/v1/specialists/${id}/working-hours`, { token: doctorUser.token })).body, expected, 'staff read them back');
  });

  t.test('working hours: staff only (401)', async (t) => {
    const { id } = await withHours();
    t.equal((await call(app, 'GET', `/api/v1/specialists/${id}/working-hours`)).status, 401, 'hours are staff only');
  });

  t.test('working hours: the public details show their time zone', async (t) => {
    const { id } = await withHours();
    t.equal((await call(app, 'GET', `/api/v1/specialists/${id}`)).body.time_zone, 'Europe/Moscow');
  });

  t.test('an owner clears the phone', async (t) => {
    const { c, id } = await withHours();
    t.equal((await call(app, 'PATCH', `/api/v1/specialists/${id}`, { token: c.owner.token, body: { specialty: 'surgeon', phone: null } })).body.phone, null);
  });

  t.test('an owner removes one: gone from details, slots and the list', async (t) => {
    const { c, id } = await withHours(true);
    t.equal((await call(app, 'DELETE', `/api/v1/specialists/${id}`, { token: c.owner.token })).status, 204);
    t.equal((await call(app, 'GET', `/api/v1/specialists/${id}`)).status, 404);
    t.equal((await call(app, 'GET', `/api/v1/specialists/${id}/slots?date=2026-12-07&duration=30`)).status, 404);
    t.same((await specialists(c.org)).body, []);
  });
});

t.test('two processes racing for one slot: the optimistic append lets exactly one through', async (t) => {
  const clock = new Date('2026-06-01T06:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const c = await clinic(runtime, 'Race');
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
