import t from 'tap';
import type { AppointmentBookedData } from '../../src/events/scheduling/appointment.js';
import type { Static } from 'typebox';
import { SERIES_UNDONE } from '../../src/workflows/scheduling/series.js';
import { eventCount, loggedData, person } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, bookSelf, client, clinic, everyDay, recordOf, specialist, type Clinic } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';

// A weekly series booked in one request (issue 15): every occurrence its own
// appointment at the same local time (across a daylight-saving change too),
// all or nothing (a conflict on any date appends nothing; a race lost after
// the check gives back what was booked), each occurrence moved and cancelled
// alone, the series cancelled as a whole. One runtime, a fixed clock; each
// behaviour has its own clinic, specialist and clients.

// Thursday 1 October 2026, 08:00 in Berlin (summer time, +02:00); summer time ends on Sunday 25 October.
const clock = new Date('2026-10-01T06:00:00Z');
const BERLIN = { time_zone: 'Europe/Berlin', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0, horizon_days: 120 };
const weekly = (count: number) => ({ every_weeks: 1, count });
/** A wall-clock time in Berlin that October: +02:00 until the 25th, +01:00 from then on. */
const berlin = (date: string, hour: string) => `${date}T${hour}:00:00${date >= '2026-10-25' ? '+01:00' : '+02:00'}`;
const SPECIALIST_BUSY = 'The specialist has another appointment at this time.';

type Booked = Static<typeof AppointmentBookedData>;
interface Reply { id: string; start: string; status: string; cancel_reason: string | null; client_id: string }

let clinics = 0;

t.test('booking a series', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;

  async function world(hours: Record<string, unknown> = BERLIN) {
    const n = ++clinics;
    const c = await clinic(runtime, `Series ${n}`);
    const doctor = await specialist(runtime, c, `Dr Weber ${n}`, hours);
    return { c, doctor };
  }
  const series = (c: Clinic, body: Record<string, unknown>) => book(runtime, c.org, c.manager.token, body);
  const read = async (c: Clinic, id: string) => (await call(app, 'GET', `/api/v1/appointments/${id}`, { token: c.manager.token })).body as Reply;
  /** AppointmentBooked of one appointment, as its stream holds it. */
  const bookedEvent = async (id: string) => (await runtime.store.readStream(`appointment-${id}`)).find((e) => e.type === 'AppointmentBooked')!.data as Booked;

  t.test('a weekly series of 4 across the end of summer time: 4 appointments of one series at 10:00 Berlin each week', async (t) => {
    const { c, doctor } = await world();
    const record = await recordOf(runtime, c, uniquePhone());
    const reply = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-13T10:00:00+02:00', repeat: weekly(4) });
    t.equal(reply.status, 201, JSON.stringify(reply.body));
    const appointments = reply.body.appointments as Reply[];
    t.same(appointments.map((a) => a.start), ['2026-10-13T10:00:00+02:00', '2026-10-20T10:00:00+02:00', '2026-10-27T10:00:00+01:00', '2026-11-03T10:00:00+01:00'], 'the same wall-clock time, the offset changing after 25 October');
    t.equal(Date.parse(appointments[2]!.start) - Date.parse(appointments[1]!.start), 7 * 86_400_000 + 3_600_000, 'so the week across the change is an hour longer in real time');
    t.equal(new Set(appointments.map((a) => a.id)).size, 4, 'four appointments, each with its own id');
    t.ok(appointments.every((a) => a.status === 'pending' && a.client_id === record), 'each pending, for the record');
    t.match(reply.body.series_id, /^[0-9a-f-]{36}$/, 'the series has an id');
    const recorded = await Promise.all(appointments.map((a) => bookedEvent(a.id)));
    t.same(recorded.map((e) => e.seriesId), Array(4).fill(reply.body.series_id), 'every occurrence records the series id');
    for (const a of appointments) t.same((await read(c, a.id)).start, a.start, `GET /appointments/${a.id} shows it`);
  });

  t.test('every other week: the occurrences two weeks apart', async (t) => {
    const { c, doctor } = await world();
    const record = await recordOf(runtime, c, uniquePhone());
    const reply = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-05T09:00:00+02:00', duration: 45, repeat: { every_weeks: 2, count: 3 } });
    t.equal(reply.status, 201, JSON.stringify(reply.body));
    t.same((reply.body.appointments as Reply[]).map((a) => a.start), ['2026-10-05T09:00:00+02:00', '2026-10-19T09:00:00+02:00', '2026-11-02T09:00:00+01:00']);
  });

  t.test('a client books a series for themself: their record there is opened once, every occurrence on it', async (t) => {
    const { c, doctor } = await world();
    const who = await person(runtime, uniquePhone());
    const reply = await bookSelf(runtime, c.org, who.token, { specialist_id: doctor, start: '2026-10-06T11:00:00+02:00', repeat: weekly(3) });
    t.equal(reply.status, 201, JSON.stringify(reply.body));
    const appointments = reply.body.appointments as Reply[];
    t.equal(appointments.length, 3);
    t.equal(new Set(appointments.map((a) => a.client_id)).size, 1, 'one record for the three');
    const mine = await call(app, 'GET', `/api/v1/appointments/${appointments[2]!.id}`, { token: who.token });
    t.equal(mine.status, 200, 'the person sees their occurrences');
  });

  t.test('a conflict on the 3rd date: 409 listing that date, and nothing appended', async (t) => {
    const { c, doctor } = await world();
    const [record, other] = [await recordOf(runtime, c, uniquePhone()), await recordOf(runtime, c, uniquePhone())];
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: doctor, client_id: other, start: '2026-10-21T10:30:00+02:00' })).status, 201, 'the 3rd date is taken at 10:30');
    const before = await eventCount(runtime);
    const refused = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-07T10:00:00+02:00', repeat: weekly(4) });
    t.equal(refused.status, 409);
    t.same(refused.body, { detail: 'Some dates of the series conflict with the schedule.', errors: { repeat: [`2026-10-21: ${SPECIALIST_BUSY}`] } });
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  t.test('every conflicting date is listed, each with its reason', async (t) => {
    const { c, doctor } = await world();
    const [record, other] = [await recordOf(runtime, c, uniquePhone()), await recordOf(runtime, c, uniquePhone())];
    const nurse = await specialist(runtime, c, 'Nurse Vogel', BERLIN);
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: doctor, client_id: other, start: '2026-10-15T12:00:00+02:00' })).status, 201, 'the doctor is busy on the 2nd date');
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: nurse, client_id: record, start: '2026-11-05T12:30:00+01:00' })).status, 201, 'the client is with the nurse on the 5th');
    const before = await eventCount(runtime);
    const refused = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-08T12:00:00+02:00', repeat: weekly(5) });
    t.equal(refused.status, 409);
    t.same(refused.body.errors.repeat, [`2026-10-15: ${SPECIALIST_BUSY}`, '2026-11-05: The client has another appointment at this time.']);
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  t.test('dates past the booking horizon: 400 naming them, nothing appended', async (t) => {
    const { c, doctor } = await world({ ...BERLIN, horizon_days: 20 });
    const record = await recordOf(runtime, c, uniquePhone());
    const before = await eventCount(runtime);
    const refused = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-05T10:00:00+02:00', repeat: weekly(4) });
    t.equal(refused.status, 400);
    t.same(refused.body.errors, { repeat: ['2026-10-26: Book at most 20 days ahead.'] });
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  t.test('a repeat out of bounds is a 400 naming the field', async (t) => {
    const { c, doctor } = await world();
    const record = await recordOf(runtime, c, uniquePhone());
    for (const repeat of [{ every_weeks: 1, count: 1 }, { every_weeks: 1, count: 53 }, { every_weeks: 0, count: 2 }, { every_weeks: 5, count: 2 }, { count: 2 }]) {
      const refused = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-05T10:00:00+02:00', repeat });
      t.equal(refused.status, 400, JSON.stringify(repeat));
      t.ok(Object.keys(refused.body.errors).some((field) => field.startsWith('repeat')), `names repeat: ${JSON.stringify(refused.body.errors)}`);
    }
  });

  t.test('each occurrence is moved and cancelled alone', async (t) => {
    const { c, doctor } = await world();
    const record = await recordOf(runtime, c, uniquePhone());
    const reply = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-09T14:00:00+02:00', repeat: weekly(3) });
    t.equal(reply.status, 201);
    const [first, second, third] = reply.body.appointments as Reply[];
    const moved = await call(app, 'PATCH', `/api/v1/appointments/${second!.id}`, { token: c.manager.token, body: { start: '2026-10-16T16:00:00+02:00' } });
    t.equal(moved.status, 200, JSON.stringify(moved.body));
    t.equal(moved.body.start, '2026-10-16T16:00:00+02:00', 'the 2nd moved');
    const cancelled = await call(app, 'POST', `/api/v1/appointments/${third!.id}/cancel`, { token: c.manager.token, body: { reason: 'holiday' } });
    t.equal(cancelled.status, 200);
    t.equal(cancelled.body.status, 'cancelled', 'the 3rd cancelled');
    t.match(await read(c, first!.id), { start: '2026-10-09T14:00:00+02:00', status: 'pending' }, 'the 1st untouched');
    t.match(await read(c, second!.id), { start: '2026-10-16T16:00:00+02:00', status: 'pending' }, 'the 2nd still pending, where it was moved');
    const other = await recordOf(runtime, c, uniquePhone());
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: doctor, client_id: other, start: '2026-10-16T14:00:00+02:00' })).status, 201, 'the time the 2nd left is free');
  });

  t.test('cancelling the series cancels the occurrences still ahead; begun, completed and cancelled ones stay', async (t) => {
    const { c, doctor } = await world();
    const record = await recordOf(runtime, c, uniquePhone());
    // Starting now (staff may book up to now): the first occurrence has begun when the series is cancelled.
    const reply = await series(c, { specialist_id: doctor, client_id: record, start: '2026-10-01T08:00:00+02:00', repeat: weekly(5) });
    t.equal(reply.status, 201, JSON.stringify(reply.body));
    const [begun, done, dropped, fourth, fifth] = reply.body.appointments as Reply[];
    for (const step of ['confirm', 'complete']) t.equal((await call(app, 'POST', `/api/v1/appointments/${done!.id}/${step}`, { token: c.manager.token })).status, 200, `the 2nd: ${step}`);
    t.equal((await call(app, 'POST', `/api/v1/appointments/${dropped!.id}/cancel`, { token: c.manager.token, body: { reason: 'ill' } })).status, 200, 'the 3rd cancelled alone');

    const cancelled = await call(app, 'POST', `/api/v1/series/${reply.body.series_id}/cancel`, { token: c.manager.token, body: { reason: 'moving away' } });
    t.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    t.same(cancelled.body, { series_id: reply.body.series_id, cancelled: [fourth!.id, fifth!.id] });
    t.match(await read(c, begun!.id), { status: 'pending' }, 'the one that has begun stays');
    t.match(await read(c, done!.id), { status: 'completed' }, 'the completed one stays');
    t.match(await read(c, dropped!.id), { status: 'cancelled', cancel_reason: 'ill' }, 'the one cancelled before keeps its reason');
    for (const a of [fourth!, fifth!]) t.match(await read(c, a.id), { status: 'cancelled', cancel_reason: 'moving away' }, `${a.start} cancelled with the reason`);
    const other = await recordOf(runtime, c, uniquePhone());
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: doctor, client_id: other, start: fifth!.start })).status, 201, 'their time is free again');

    const again = await call(app, 'POST', `/api/v1/series/${reply.body.series_id}/cancel`, { token: c.manager.token });
    t.same(again.body, { series_id: reply.body.series_id, cancelled: [] }, 'cancelling again (no body) cancels nothing more');
  });

  t.test('the client cancels their own series; anyone else finds no such series', async (t) => {
    const { c, doctor } = await world();
    const [who, stranger] = [await client(runtime, uniquePhone(), c), await client(runtime, uniquePhone(), c)];
    const reply = await bookSelf(runtime, c.org, who.token, { specialist_id: doctor, start: '2026-10-10T15:00:00+02:00', repeat: weekly(2) });
    t.equal(reply.status, 201, JSON.stringify(reply.body));
    const url = `/api/v1/series/${reply.body.series_id}/cancel`;
    t.equal((await call(app, 'POST', url, { token: stranger.token, body: {} })).status, 404, 'another person: not found');
    t.equal((await call(app, 'POST', `/api/v1/series/${doctor}/cancel`, { token: c.manager.token, body: {} })).status, 404, 'an id that names no series: not found');
    const own = await call(app, 'POST', url, { token: who.token, body: { reason: 'changed my mind' } });
    t.equal(own.status, 200);
    t.equal(own.body.cancelled.length, 2, 'both occurrences cancelled');
  });

  t.test('RACE: a series of 4 and a single booking on its 3rd date, 10 rounds: one wins the date, the series is all or nothing', async (t) => {
    const { c, doctor } = await world();
    const wins = { series: 0, single: 0 };
    for (let round = 0; round < 10; round++) {
      // Fresh dates and a fresh hour each round, so no round meets another's appointments.
      const day = `2026-10-${String(5 + round).padStart(2, '0')}`;
      const hour = String(8 + round).padStart(2, '0');
      const third = `2026-10-${String(5 + round + 14).padStart(2, '0')}`;
      const [seriesRecord, singleRecord] = [await recordOf(runtime, c, uniquePhone()), await recordOf(runtime, c, uniquePhone())];
      const [seriesReply, singleReply] = await Promise.all([
        series(c, { specialist_id: doctor, client_id: seriesRecord, start: berlin(day, hour), repeat: weekly(4) }),
        book(runtime, c.org, c.owner.token, { specialist_id: doctor, client_id: singleRecord, start: berlin(third, hour) }),
      ]);
      const statuses = [seriesReply.status, singleReply.status].sort();
      t.same(statuses, [201, 409], `round ${round}: exactly one wins ${third} (series ${seriesReply.status}, single ${singleReply.status})`);
      // The source of truth: every appointment the series' record got, and where its stream ended.
      const ofSeries = (await loggedData<Booked>(runtime, 'AppointmentBooked')).filter((e) => e.slot.clientId === seriesRecord);
      const lastTypes = await Promise.all(ofSeries.map(async (e) => (await runtime.store.readStream(`appointment-${e.appointmentId}`)).at(-1)!));
      const active = lastTypes.filter((e) => e.type === 'AppointmentBooked').length;
      if (seriesReply.status === 201) {
        wins.series++;
        t.equal(active, 4, `round ${round}: the series holds its 4 dates`);
        t.match(singleReply.body.errors, { specialist_id: [SPECIALIST_BUSY] }, `round ${round}: the single is refused`);
      } else {
        wins.single++;
        t.equal(active, 0, `round ${round}: the series holds no date (${ofSeries.length} booked and given back)`);
        t.same(seriesReply.body.errors, { repeat: [`${third}: ${SPECIALIST_BUSY}`] }, `round ${round}: the series names the date it lost`);
        const reasons = lastTypes.map((e) => (e.data as { reason?: string }).reason);
        t.ok(reasons.every((reason) => reason === SERIES_UNDONE), `round ${round}: what it gave back says why`);
      }
    }
    t.equal(wins.series + wins.single, 10);
    t.comment(`the series won ${wins.series} rounds, the single booking ${wins.single}`);
  });
});
