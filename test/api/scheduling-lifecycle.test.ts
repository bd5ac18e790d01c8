import t, { type Test } from 'tap';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { appointmentsProjection } from '../../src/projections/scheduling/appointments.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { book, bookSelf, client, clientToken, clinic, everyDay, place, rub, specialist } from '../helpers/scheduling.js';
import { addMember, staffMember, staffToken } from '../helpers/staff.js';

// An appointment's life through HTTP: status changes (and the illegal ones),
// reschedules (across days, concurrently), cancellations that stay visible,
// and the client's sessions (seed 001), the same after a projection rebuild.
// Staff book the clinic's record of a client; the person reaches it through
// their link.

let clock = new Date('2026-06-01T06:00:00Z');
const hours = (room: string) => ({ time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });

async function setup(t: Test) {
  clock = new Date('2026-06-01T06:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const c = await clinic(runtime);
  const room = await place(runtime, c, 'Room 1');
  const doctor = await specialist(runtime, c, 'Dr Ivanova', hours(room));
  const alice = await client(runtime, '+79517586201', c);
  return { runtime, app: runtime.app, c, room, doctor, alice };
}

t.test('pending -> confirmed -> completed; cancel with reason and who; no-show after the start; illegal moves are 409', async (t) => {
  const { runtime, app, c, doctor, alice } = await setup(t);
  const specialistUser = await staffMember(runtime, 'doc@clinic.example');
  await addMember(runtime, c.org, c.owner, specialistUser, 'specialist');
  const at = (hour: number) => `2026-06-10T${String(hour).padStart(2, '0')}:00:00+03:00`;
  const one = (await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: at(10) })).body.id as string;
  const two = (await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: at(12) })).body.id as string;
  const three = (await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: at(14) })).body.id as string;
  const post = (id: string, action: string, token: string, body?: unknown) => call(app, 'POST', `/api/v1/appointments/${id}/${action}`, { token, ...(body === undefined ? {} : { body }) });

  t.equal((await post(one, 'complete', c.manager.token)).status, 409, 'pending cannot be completed');
  t.equal((await post(one, 'confirm', alice.token)).status, 403, 'a client does not confirm');
  const confirmed = await post(one, 'confirm', specialistUser.token);
  t.equal(confirmed.status, 200);
  t.equal(confirmed.body.status, 'confirmed');
  t.equal((await post(one, 'confirm', c.manager.token)).status, 409, 'confirmed once');
  t.equal((await post(one, 'no-show', c.manager.token)).status, 409, 'not before its start');
  t.equal((await post(one, 'complete', specialistUser.token)).body.status, 'completed');
  t.equal((await post(one, 'cancel', c.manager.token, { reason: 'late' })).status, 409, 'completed cannot be cancelled');

  const cancelled = await post(two, 'cancel', alice.token, { reason: 'I am ill' });
  t.equal(cancelled.status, 200, 'a client cancels their own');
  t.match(cancelled.body, { status: 'cancelled', cancel_reason: 'I am ill' });
  t.same(cancelled.body.cancelled_by, { kind: 'client' }, 'by the client, named to nobody by their account');
  t.equal((await post(two, 'confirm', c.manager.token)).status, 409, 'cancelled is final');
  const again = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: at(12) });
  t.equal(again.status, 201, 'the cancelled time is free again');
  const noReason = await post(again.body.id as string, 'cancel', c.manager.token);
  t.match(noReason.body, { status: 'cancelled', cancel_reason: '', cancelled_by: { kind: 'user', id: c.manager.id } }, 'a reason is optional, and so is the body');

  await post(three, 'confirm', c.manager.token);
  clock = new Date('2026-06-10T11:30:00Z');
  const token = await staffToken(runtime, c.manager.id);
  const noShow = await post(three, 'no-show', token);
  t.equal(noShow.status, 200);
  t.equal(noShow.body.status, 'no_show');

  const list = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments?status=cancelled&status=no_show`, { token });
  t.same(list.body.map((a: { id: string }) => a.id).sort(), [two, again.body.id, three].sort(), 'cancelled appointments stay visible');
  t.same((await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments?date=2026-06-10&specialist_id=${doctor}`, { token })).body.length, 4, 'by local date and specialist');
});

t.test('reschedule moves the appointment, to another day too; the cost changes; the old time is free', async (t) => {
  const { runtime, app, c, doctor, alice } = await setup(t);
  const bob = await client(runtime, '+79517586202', c);
  const booked = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-06-10T10:00:00+03:00' });
  const id = booked.body.id as string;
  const moved = await call(app, 'PATCH', `/api/v1/appointments/${id}`, { token: c.manager.token, body: { start: '2026-06-11T15:00:00+03:00', duration: 90, cost: rub(450000) } });
  t.equal(moved.status, 200);
  t.match(moved.body, { id, start: '2026-06-11T15:00:00+03:00', end: '2026-06-11T16:30:00+03:00', duration: 90, cost: rub(450000), status: 'pending' });
  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-06-10T10:00:00+03:00' })).status, 201, 'the old time is free');
  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: bob.record, start: '2026-06-11T16:00:00+03:00' })).status, 409, 'the new one is held');
  const blocked = await call(app, 'PATCH', `/api/v1/appointments/${id}`, { token: c.manager.token, body: { start: '2026-06-10T10:30:00+03:00' } });
  t.equal(blocked.status, 409, 'a move onto a taken time is refused');
  t.equal((await call(app, 'GET', `/api/v1/appointments/${id}`, { token: alice.token })).body.start, '2026-06-11T15:00:00+03:00', 'and leaves it where it was');
  t.equal((await call(app, 'PATCH', `/api/v1/appointments/${id}`, { token: c.manager.token, body: { start: '2026-06-11T15:30:00+03:00' } })).body.start, '2026-06-11T15:30:00+03:00', 'a move overlapping its own old time is fine');
  t.equal((await call(app, 'PATCH', `/api/v1/appointments/${id}`, { token: alice.token, body: { start: '2026-06-12T15:00:00+03:00' } })).status, 403, 'clients do not reschedule');
});

t.test('concurrent reschedules across days leave exactly one appointment', async (t) => {
  const { runtime, app, c, doctor, alice } = await setup(t);
  const id = (await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-06-10T10:00:00+03:00' })).body.id as string;
  const targets = Array.from({ length: 12 }, (_, i) => `2026-06-${11 + (i % 4)}T${String(9 + Math.floor(i / 4) * 2).padStart(2, '0')}:00:00+03:00`);
  const replies = await Promise.all(targets.map((start) => call(app, 'PATCH', `/api/v1/appointments/${id}`, { token: c.manager.token, body: { start } })));
  t.ok(replies.every((r) => r.status === 200 || r.status === 409), `each move succeeds or loses cleanly (${replies.map((r) => r.status).join(',')})`);
  t.ok(replies.some((r) => r.status === 200), 'at least one wins');

  // The reactor may still be releasing losers' claims; wait for the log to settle.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const final = (await call(app, 'GET', `/api/v1/appointments/${id}`, { token: c.manager.token })).body;
  const rows = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments`, { token: c.manager.token });
  t.equal(rows.body.length, 1, 'one appointment in the book');
  t.equal(rows.body[0].start, final.start);

  const { db } = runtime.connection;
  const events = await db.selectFrom('events').select(['stream_id', 'type', 'data']).where('stream_id', 'like', `schedule-${c.org}-%`).orderBy('global_position').execute();
  const held = new Map<string, string>();
  for (const e of events) {
    const data = e.data as { claimId: string; appointmentId: string; start: string };
    if (e.type === 'SlotClaimed') held.set(`${e.stream_id} ${data.claimId}`, data.start);
    else held.delete(`${e.stream_id} ${data.claimId}`);
  }
  t.same([...held.values()], [new Date(Date.parse(final.start)).toISOString()], 'exactly one claim still holds time, at the appointment’s start');
  const alone = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: (await client(runtime, '+79517586209', c)).record, start: '2026-06-10T10:00:00+03:00' });
  t.equal(alone.status, 201, 'the original time is free');
});

t.test('a client’s sessions list their appointments, filtered, and match after a rebuild', async (t) => {
  const { runtime, app, c, room, doctor, alice } = await setup(t);
  const other = await clinic(runtime, 'Other');
  const otherRoom = await place(runtime, other, 'Cabinet');
  const otherDoctor = await specialist(runtime, other, 'Dr Sidorov', hours(otherRoom));
  const a = (await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-06-10T10:00:00+03:00', cost: rub(300000) })).body;
  const b = (await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-06-12T10:00:00+03:00', cost: rub(500000) })).body;
  await call(app, 'POST', `/api/v1/appointments/${b.id}/cancel`, { token: c.manager.token, body: { reason: 'closed' } });
  const own = await bookSelf(runtime, other.org, alice.token, { specialist_id: otherDoctor, start: '2026-06-11T10:00:00+03:00' });
  t.equal(own.status, 201, 'the client books themself elsewhere too');

  const sessions = await call(app, 'GET', `/api/v1/clients/${alice.id}/sessions`, { token: alice.token });
  t.equal(sessions.status, 200);
  t.same(sessions.body.map((s: { id: string }) => s.id), [a.id, own.body.id, b.id], 'every organization, oldest first');
  t.match(sessions.body[0], { id: a.id, place_id: room, specialist_id: doctor, start: '2026-06-10T10:00:00+03:00', status: 'pending', cost: rub(300000) });
  t.same((await call(app, 'GET', `/api/v1/clients/${alice.id}/sessions?status=cancelled`, { token: alice.token })).body.map((s: { id: string }) => s.id), [b.id]);
  const period = await call(app, 'GET', `/api/v1/clients/${alice.id}/sessions?from=${encodeURIComponent('2026-06-11T00:00:00+03:00')}&to=${encodeURIComponent('2026-06-12T00:00:00+03:00')}`, { token: alice.token });
  t.same(period.body.map((s: { id: string }) => s.id), [own.body.id], 'by period');
  const staffView = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments?client_id=${alice.record}`, { token: c.manager.token });
  t.same(staffView.body.map((s: { id: string }) => s.id), [a.id, b.id], 'staff see their organization’s record only');
  const bob = await client(runtime, '+79517586202');
  t.equal((await call(app, 'GET', `/api/v1/clients/${alice.id}/sessions`, { token: bob.token })).status, 404, 'another client sees nothing');

  await rebuildProjection(runtime.connection.db, runtime.store, appointmentsProjection);
  const rebuilt = await call(app, 'GET', `/api/v1/clients/${alice.id}/sessions`, { token: await clientToken(runtime, alice.phone) });
  t.same(rebuilt.body, sessions.body.map((s: { id: string; status: string }) => (s.id === b.id ? { ...s, status: 'cancelled' } : s)), 'the same sessions after a rebuild from the log');
});
