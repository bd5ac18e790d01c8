import t, { type Test } from 'tap';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { appointmentsProjection } from '../../src/projections/scheduling/appointments.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, bookSelf, client, clientToken, clinic, everyDay, place, rub, specialist, type Clinic } from '../helpers/scheduling.js';
import { addMember, staffMember, staffToken } from '../helpers/staff.js';
import { eventually } from '../helpers/waiting.js';
import { uniquePhone } from '../helpers/api-spec.js';

// An appointment's life through HTTP: status changes (and the illegal ones),
// reschedules (across days, concurrently), cancellations that stay visible,
// and the client's sessions (seed 001), the same after a projection rebuild.
// Staff book the clinic's record of a client; the person reaches it through
// their link. Each behaviour builds its own clinic; only the ones that move
// the clock start a runtime of their own, with a clock nobody else sees.

const START = '2026-06-01T06:00:00Z';
const hours = (room: string) => ({ time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });
const at = (hour: number) => `2026-06-10T${String(hour).padStart(2, '0')}:00:00+03:00`;

/** A clock for one runtime only: the test that owns it moves it. */
function clockAt(iso: string) {
  let current = new Date(iso);
  return { now: () => current, set: (next: string) => void (current = new Date(next)) };
}

/** A phone nobody in this file has used (behaviours share a runtime). */
const phone = uniquePhone;
let clinics = 0;

/**
 * A room, a doctor with hours in it and alice, a client linked to her record,
 * all of their own, in the clinic `shared` (a clinic is costly to make; a
 * behaviour that reads the whole clinic's book makes its own).
 */
async function world(runtime: TestRuntime, shared?: Clinic) {
  const n = ++clinics;
  const c = shared ?? (await clinic(runtime, `Clinic ${n}`));
  const room = await place(runtime, c, `Room ${n}`);
  const doctor = await specialist(runtime, c, `Dr Ivanova ${n}`, hours(room));
  const alice = await client(runtime, phone(), c);
  return { runtime, app: runtime.app, n, c, room, doctor, alice };
}
type World = Awaited<ReturnType<typeof world>>;

/** Books `start` for alice as the manager; a setup step, so it must succeed. */
async function booked(w: World, start: string, body: Record<string, unknown> = {}): Promise<string> {
  const reply = await book(w.runtime, w.c.org, w.c.manager.token, { specialist_id: w.doctor, client_id: w.alice.record, start, ...body });
  if (reply.status !== 201) throw new Error(`booking ${start}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.id as string;
}

const act = (w: World, id: string, action: string, token: string, body?: unknown) =>
  call(w.app, 'POST', `/api/v1/appointments/${id}/${action}`, { token, ...(body === undefined ? {} : { body }) });

async function withSpecialistUser(w: World) {
  const user = await staffMember(w.runtime, `doc@clinic-${w.n}.example`);
  await addMember(w.runtime, w.c.org, w.c.owner, user, 'specialist');
  return user;
}

t.test('appointment status', async (t) => {
  const runtime = await startRuntime(t, { now: clockAt(START).now });
  const shared = await clinic(runtime, 'Status');

  t.test('completing a pending appointment is 409', async (t) => {
    const w = await world(runtime, shared);
    const one = await booked(w, at(10));
    t.equal((await act(w, one, 'complete', w.c.manager.token)).status, 409, 'pending cannot be completed');
  });

  t.test('a client does not confirm (403)', async (t) => {
    const w = await world(runtime, shared);
    const one = await booked(w, at(10));
    t.equal((await act(w, one, 'confirm', w.alice.token)).status, 403, 'a client does not confirm');
  });

  t.test('a specialist confirms a pending appointment; confirming again is 409', async (t) => {
    const w = await world(runtime, shared);
    const specialistUser = await withSpecialistUser(w);
    const one = await booked(w, at(10));
    const confirmed = await act(w, one, 'confirm', specialistUser.token);
    t.equal(confirmed.status, 200);
    t.equal(confirmed.body.status, 'confirmed');
    t.equal((await act(w, one, 'confirm', w.c.manager.token)).status, 409, 'confirmed once');
  });

  t.test('no-show before the start is 409', async (t) => {
    const w = await world(runtime, shared);
    const one = await booked(w, at(10));
    t.equal((await act(w, one, 'confirm', w.c.manager.token)).status, 200, 'given a confirmed appointment');
    t.equal((await act(w, one, 'no-show', w.c.manager.token)).status, 409, 'not before its start');
  });

  t.test('a specialist completes a confirmed appointment; a completed one cannot be cancelled (409)', async (t) => {
    const w = await world(runtime, shared);
    const specialistUser = await withSpecialistUser(w);
    const one = await booked(w, at(10));
    t.equal((await act(w, one, 'confirm', specialistUser.token)).status, 200, 'given a confirmed appointment');
    t.equal((await act(w, one, 'complete', specialistUser.token)).body.status, 'completed');
    t.equal((await act(w, one, 'cancel', w.c.manager.token, { reason: 'late' })).status, 409, 'completed cannot be cancelled');
  });

  t.test('a client cancels their own with a reason, recorded as by the client; cancelled is final', async (t) => {
    const w = await world(runtime, shared);
    const two = await booked(w, at(12));
    const cancelled = await act(w, two, 'cancel', w.alice.token, { reason: 'I am ill' });
    t.equal(cancelled.status, 200, 'a client cancels their own');
    t.match(cancelled.body, { status: 'cancelled', cancel_reason: 'I am ill' });
    t.same(cancelled.body.cancelled_by, { kind: 'client' }, 'by the client, named to nobody by their account');
    t.equal((await act(w, two, 'confirm', w.c.manager.token)).status, 409, 'cancelled is final');
  });

  t.test('a cancelled time is free to book again', async (t) => {
    const w = await world(runtime, shared);
    const two = await booked(w, at(12));
    t.equal((await act(w, two, 'cancel', w.alice.token, { reason: 'I am ill' })).status, 200, 'given a cancelled appointment');
    const again = await book(runtime, w.c.org, w.c.manager.token, { specialist_id: w.doctor, client_id: w.alice.record, start: at(12) });
    t.equal(again.status, 201, 'the cancelled time is free again');
  });

  t.test('staff cancel with no body: the reason is empty and they are named', async (t) => {
    const w = await world(runtime, shared);
    const id = await booked(w, at(12));
    const noReason = await act(w, id, 'cancel', w.c.manager.token);
    t.match(noReason.body, { status: 'cancelled', cancel_reason: '', cancelled_by: { kind: 'user', id: w.c.manager.id } }, 'a reason is optional, and so is the body');
  });
});

t.test('a confirmed appointment is a no-show after its start', async (t) => {
  const clock = clockAt(START);
  const w = await world(await startRuntime(t, { now: clock.now }));
  const three = await booked(w, at(14));
  t.equal((await act(w, three, 'confirm', w.c.manager.token)).status, 200, 'given a confirmed appointment');
  clock.set('2026-06-10T11:30:00Z');
  const noShow = await act(w, three, 'no-show', await staffToken(w.runtime, w.c.manager.id));
  t.equal(noShow.status, 200);
  t.equal(noShow.body.status, 'no_show');
});

t.test('the book keeps cancelled and no-show appointments, and reads a day by local date and specialist', async (t) => {
  const clock = clockAt(START);
  const w = await world(await startRuntime(t, { now: clock.now }));
  const [one, two, three] = [await booked(w, at(10)), await booked(w, at(12)), await booked(w, at(14))];
  t.equal((await act(w, one, 'confirm', w.c.manager.token)).status, 200, 'given one confirmed');
  t.equal((await act(w, one, 'complete', w.c.manager.token)).status, 200, 'and completed');
  t.equal((await act(w, two, 'cancel', w.alice.token, { reason: 'I am ill' })).status, 200, 'one cancelled by the client');
  const again = await booked(w, at(12));
  t.equal((await act(w, again, 'cancel', w.c.manager.token)).status, 200, 'its time rebooked and cancelled by staff');
  t.equal((await act(w, three, 'confirm', w.c.manager.token)).status, 200, 'one confirmed');
  clock.set('2026-06-10T11:30:00Z');
  const token = await staffToken(w.runtime, w.c.manager.id);
  t.equal((await act(w, three, 'no-show', token)).status, 200, 'and a no-show after its start');

  const list = await call(w.app, 'GET', `/api/v1/organizations/${w.c.org}/appointments?status=cancelled&status=no_show`, { token });
  t.same(list.body.map((a: { id: string }) => a.id).sort(), [two, again, three].sort(), 'cancelled appointments stay visible');
  t.same((await call(w.app, 'GET', `/api/v1/organizations/${w.c.org}/appointments?date=2026-06-10&specialist_id=${w.doctor}`, { token })).body.length, 4, 'by local date and specialist');
});

t.test('rescheduling', async (t) => {
  const runtime = await startRuntime(t, { now: clockAt(START).now });
  const shared = await clinic(runtime, 'Reschedule');
  const move = (w: World, id: string, body: Record<string, unknown>, token = w.c.manager.token) => call(w.app, 'PATCH', `/api/v1/appointments/${id}`, { token, body });

  t.test('moves the appointment to another day, with a new duration and cost', async (t) => {
    const w = await world(runtime, shared);
    const id = await booked(w, at(10));
    const moved = await move(w, id, { start: '2026-06-11T15:00:00+03:00', duration: 90, cost: rub(450000) });
    t.equal(moved.status, 200);
    t.match(moved.body, { id, start: '2026-06-11T15:00:00+03:00', end: '2026-06-11T16:30:00+03:00', duration: 90, cost: rub(450000), status: 'pending' });
  });

  t.test('frees the old time and holds the new one', async (t) => {
    const w = await world(runtime, shared);
    const bob = await client(runtime, phone(), w.c);
    const id = await booked(w, at(10));
    t.equal((await move(w, id, { start: '2026-06-11T15:00:00+03:00', duration: 90 })).status, 200, 'given a moved appointment');
    t.equal((await book(runtime, w.c.org, w.c.manager.token, { specialist_id: w.doctor, client_id: bob.record, start: at(10) })).status, 201, 'the old time is free');
    t.equal((await book(runtime, w.c.org, w.c.manager.token, { specialist_id: w.doctor, client_id: bob.record, start: '2026-06-11T16:00:00+03:00' })).status, 409, 'the new one is held');
  });

  t.test('onto a taken time is 409 and leaves the appointment where it was', async (t) => {
    const w = await world(runtime, shared);
    const bob = await client(runtime, phone(), w.c);
    const id = await booked(w, '2026-06-11T15:00:00+03:00');
    t.equal((await book(runtime, w.c.org, w.c.manager.token, { specialist_id: w.doctor, client_id: bob.record, start: at(10) })).status, 201, 'given another booking');
    t.equal((await move(w, id, { start: '2026-06-10T10:30:00+03:00' })).status, 409, 'a move onto a taken time is refused');
    t.equal((await call(w.app, 'GET', `/api/v1/appointments/${id}`, { token: w.alice.token })).body.start, '2026-06-11T15:00:00+03:00', 'and leaves it where it was');
  });

  t.test('onto a time overlapping its own old time is fine', async (t) => {
    const w = await world(runtime, shared);
    const id = await booked(w, '2026-06-11T15:00:00+03:00', { duration: 90 });
    t.equal((await move(w, id, { start: '2026-06-11T15:30:00+03:00' })).body.start, '2026-06-11T15:30:00+03:00', 'a move overlapping its own old time is fine');
  });

  t.test('by a client is 403', async (t) => {
    const w = await world(runtime, shared);
    const id = await booked(w, at(10));
    t.equal((await move(w, id, { start: '2026-06-12T15:00:00+03:00' }, w.alice.token)).status, 403, 'clients do not reschedule');
  });

  t.test('concurrent reschedules across days leave exactly one appointment, holding one claim', async (t) => {
    const w = await world(runtime);
    const id = await booked(w, at(10));
    const targets = Array.from({ length: 12 }, (_, i) => `2026-06-${11 + (i % 4)}T${String(9 + Math.floor(i / 4) * 2).padStart(2, '0')}:00:00+03:00`);
    const replies = await Promise.all(targets.map((start) => move(w, id, { start })));
    t.ok(replies.every((r) => r.status === 200 || r.status === 409), `each move succeeds or loses cleanly (${replies.map((r) => r.status).join(',')})`);
    t.ok(replies.some((r) => r.status === 200), 'at least one wins');

    const final = (await call(w.app, 'GET', `/api/v1/appointments/${id}`, { token: w.c.manager.token })).body;
    const { db } = runtime.connection;
    const heldClaims = async () => {
      const events = await db.selectFrom('events').select(['stream_id', 'type', 'data']).where('stream_id', 'like', `schedule-${w.c.org}-%`).orderBy('global_position').execute();
      const held = new Map<string, string>();
      for (const e of events) {
        const data = e.data as { claimId: string; appointmentId: string; start: string };
        if (e.type === 'SlotClaimed') held.set(`${e.stream_id} ${data.claimId}`, data.start);
        else held.delete(`${e.stream_id} ${data.claimId}`);
      }
      return [...held.values()];
    };
    // The reactor may still be releasing the losers' claims: wait for it to let go.
    await eventually(async () => (await heldClaims()).length === 1);
    const rows = await call(w.app, 'GET', `/api/v1/organizations/${w.c.org}/appointments`, { token: w.c.manager.token });
    t.equal(rows.body.length, 1, 'one appointment in the book');
    t.equal(rows.body[0].start, final.start);
    t.same(await heldClaims(), [new Date(Date.parse(final.start)).toISOString()], 'exactly one claim still holds time, at the appointment’s start');
    const alone = await book(runtime, w.c.org, w.c.manager.token, { specialist_id: w.doctor, client_id: (await client(runtime, phone(), w.c)).record, start: at(10) });
    t.equal(alone.status, 201, 'the original time is free');
  });
});

/** Alice has appointments in two organizations: a (pending), b (cancelled) here, and one she booked herself elsewhere. */
async function sessionsWorld(t: Test, runtime: TestRuntime, here: Clinic, other: Clinic) {
  const w = await world(runtime, here);
  const otherRoom = await place(runtime, other, `Cabinet ${w.n}`);
  const otherDoctor = await specialist(runtime, other, `Dr Sidorov ${w.n}`, hours(otherRoom));
  const a = await booked(w, at(10), { cost: rub(300000) });
  const b = await booked(w, '2026-06-12T10:00:00+03:00', { cost: rub(500000) });
  t.equal((await act(w, b, 'cancel', w.c.manager.token, { reason: 'closed' })).status, 200, 'given one cancelled');
  const own = await bookSelf(runtime, other.org, w.alice.token, { specialist_id: otherDoctor, start: '2026-06-11T10:00:00+03:00' });
  t.equal(own.status, 201, 'the client books themself elsewhere too');
  return { ...w, a, b, own: own.body.id as string };
}

t.test('a client’s sessions', async (t) => {
  const runtime = await startRuntime(t, { now: clockAt(START).now });
  const [here, other] = [await clinic(runtime, 'Sessions'), await clinic(runtime, 'Other')];
  const sessionsOf = (w: World, query = '', token = w.alice.token) => call(w.app, 'GET', `/api/v1/clients/${w.alice.id}/sessions${query}`, { token });

  t.test('list their appointments in every organization, oldest first', async (t) => {
    const w = await sessionsWorld(t, runtime, here, other);
    const sessions = await sessionsOf(w);
    t.equal(sessions.status, 200);
    t.same(sessions.body.map((s: { id: string }) => s.id), [w.a, w.own, w.b], 'every organization, oldest first');
    t.match(sessions.body[0], { id: w.a, place_id: w.room, specialist_id: w.doctor, start: '2026-06-10T10:00:00+03:00', status: 'pending', cost: rub(300000) });
  });

  t.test('filter by status', async (t) => {
    const w = await sessionsWorld(t, runtime, here, other);
    t.same((await sessionsOf(w, '?status=cancelled')).body.map((s: { id: string }) => s.id), [w.b]);
  });

  t.test('filter by period', async (t) => {
    const w = await sessionsWorld(t, runtime, here, other);
    const period = await sessionsOf(w, `?from=${encodeURIComponent('2026-06-11T00:00:00+03:00')}&to=${encodeURIComponent('2026-06-12T00:00:00+03:00')}`);
    t.same(period.body.map((s: { id: string }) => s.id), [w.own], 'by period');
  });

  t.test('staff see only their organization’s appointments of the record', async (t) => {
    const w = await sessionsWorld(t, runtime, here, other);
    const staffView = await call(w.app, 'GET', `/api/v1/organizations/${w.c.org}/appointments?client_id=${w.alice.record}`, { token: w.c.manager.token });
    t.same(staffView.body.map((s: { id: string }) => s.id), [w.a, w.b], 'staff see their organization’s record only');
  });

  t.test('another client sees nothing (404)', async (t) => {
    const w = await sessionsWorld(t, runtime, here, other);
    const bob = await client(runtime, phone());
    t.equal((await sessionsOf(w, '', bob.token)).status, 404, 'another client sees nothing');
  });

  t.test('are the same after a rebuild from the log', async (t) => {
    const w = await sessionsWorld(t, runtime, here, other);
    const sessions = await sessionsOf(w);
    await rebuildProjection(runtime.connection.db, runtime.store, appointmentsProjection);
    const rebuilt = await sessionsOf(w, '', await clientToken(runtime, w.alice.phone));
    t.same(rebuilt.body, sessions.body.map((s: { id: string; status: string }) => (s.id === w.b ? { ...s, status: 'cancelled' } : s)), 'the same sessions after a rebuild from the log');
  });
});
