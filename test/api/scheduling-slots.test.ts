import t from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, place, specialist, type Clinic } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';

// Free slots through HTTP: local times through the zone on daylight-saving
// days, hours across midnight (and a booking across it, held in both days).
// Each behaviour builds its own clinic; a runtime's clock never moves, so the
// autumn days get a runtime (and a clock) of their own.

const slots = async (app: Parameters<typeof call>[0], id: string, query: string) => {
  const reply = await call(app, 'GET', `/api/v1/specialists/${id}/slots?${query}`);
  if (reply.status !== 200) throw new Error(`slots ${query}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as { start: string; end: string; place_id: string | null }[];
};
const starts = (list: { start: string }[]) => list.map((s) => s.start);

/** A phone nobody in this file has used (behaviours share a runtime). */
const phone = uniquePhone;
let clinics = 0;

/** Dr Weber works in Berlin: Saturdays 09-12, Sundays 01-05 and 09-12. */
async function berlin(runtime: TestRuntime, shared?: Clinic) {
  const n = ++clinics;
  const c = shared ?? (await clinic(runtime, `Clinic ${n}`));
  const room = await place(runtime, c, `Room ${n}`);
  const doctor = await specialist(runtime, c, 'Dr Weber', {
    time_zone: 'Europe/Berlin',
    weekly: [
      { weekday: 6, start: '09:00', end: '12:00', place_id: room },
      { weekday: 7, start: '01:00', end: '05:00', place_id: room },
      { weekday: 7, start: '09:00', end: '12:00', place_id: room },
    ],
    slot_step_minutes: 60,
    min_notice_minutes: 0,
    horizon_days: 30,
  });
  return { c, doctor };
}

t.test('Europe/Berlin in spring (2026-03-29)', async (t) => {
  const clock = new Date('2026-03-20T08:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  // One clinic for the behaviours (a clinic is costly to make); each has its own specialist and clients.
  const shared = await clinic(runtime, 'Berlin');

  t.test('the night loses the skipped hour; the day keeps its local times at the new offset', async (t) => {
    const { doctor } = await berlin(runtime, shared);
    const spring = await slots(app, doctor, 'date=2026-03-29&duration=60');
    t.same(starts(spring), ['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-29T04:00:00+02:00', '2026-03-29T09:00:00+02:00', '2026-03-29T10:00:00+02:00', '2026-03-29T11:00:00+02:00'],
      'the night loses the skipped hour; the day keeps its local times at the new offset');
    t.equal(spring[0]!.end, '2026-03-29T03:00:00+02:00', 'an hour of real time, across the jump');
  });

  t.test('the day before is at +01:00', async (t) => {
    const { doctor } = await berlin(runtime, shared);
    t.same(starts(await slots(app, doctor, 'date=2026-03-28&duration=60')), ['2026-03-28T09:00:00+01:00', '2026-03-28T10:00:00+01:00', '2026-03-28T11:00:00+01:00'], 'the day before at +01:00');
  });

  t.test('a booking just after the jump is an hour long, and its slot is gone', async (t) => {
    const { c, doctor } = await berlin(runtime, shared);
    const alice = await client(runtime, phone(), c);
    const booked = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-03-29T03:00:00+02:00' });
    t.equal(booked.status, 201);
    t.match(booked.body, { start: '2026-03-29T03:00:00+02:00', end: '2026-03-29T04:00:00+02:00' });
    t.notOk(starts(await slots(app, doctor, 'date=2026-03-29&duration=60')).includes('2026-03-29T03:00:00+02:00'), 'a booked slot is gone');
  });

  t.test('a start between the working intervals is refused', async (t) => {
    const { c, doctor } = await berlin(runtime, shared);
    const alice = await client(runtime, phone(), c);
    const gap = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-03-29T08:30:00+02:00' });
    t.same(gap.body.errors, { start: ['The specialist does not work at this time (or not at this place).'] });
  });
});

t.test('Europe/Berlin in autumn: on 2026-10-25 the repeated hour is offered twice, told apart by its offset', async (t) => {
  const clock = new Date('2026-10-20T08:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { doctor } = await berlin(runtime);
  const autumn = await slots(runtime.app, doctor, 'date=2026-10-25&duration=60');
  t.same(starts(autumn), [
    '2026-10-25T01:00:00+02:00', '2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00', '2026-10-25T03:00:00+01:00', '2026-10-25T04:00:00+01:00',
    '2026-10-25T09:00:00+01:00', '2026-10-25T10:00:00+01:00', '2026-10-25T11:00:00+01:00',
  ], 'the repeated hour is offered twice, told apart by its offset');
});

/** Dr Owl works Friday 22:00 to Saturday 02:00 in the room, Dr Lark Saturday 00:00-06:00 in the hall (Moscow). */
async function night(runtime: TestRuntime, shared?: Clinic) {
  const w = await nightHours(runtime, shared);
  // Making a person is costly (two password hashes and an SMS): behaviours that only read slots use nightHours.
  return { ...w, alice: await client(runtime, phone(), w.c), bob: await client(runtime, phone(), w.c) };
}

async function nightHours(runtime: TestRuntime, shared?: Clinic) {
  const n = ++clinics;
  const c = shared ?? (await clinic(runtime, `Clinic ${n}`));
  const room = await place(runtime, c, `Room ${n}`);
  const hall = await place(runtime, c, `Hall ${n}`);
  const owl = await specialist(runtime, c, 'Dr Owl', { time_zone: 'Europe/Moscow', weekly: [{ weekday: 5, start: '22:00', end: '02:00', place_id: room }], slot_step_minutes: 30, min_notice_minutes: 0 });
  const lark = await specialist(runtime, c, 'Dr Lark', { time_zone: 'Europe/Moscow', weekly: [{ weekday: 6, start: '00:00', end: '06:00', place_id: hall }], slot_step_minutes: 30, min_notice_minutes: 0 });
  return { c, owl, lark };
}

t.test('hours across midnight', async (t) => {
  const clock = new Date('2026-06-01T06:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  // One clinic for the behaviours that read no whole day of the clinic; each has its own specialists and clients.
  const shared = await clinic(runtime, 'Night');

  /** Alice is booked with Dr Owl from Friday 23:30 to Saturday 00:30. */
  async function lateBooking() {
    const w = await night(runtime, shared);
    const late = await book(runtime, w.c.org, w.c.manager.token, { specialist_id: w.owl, client_id: w.alice.record, start: '2026-06-12T23:30:00+03:00' });
    if (late.status !== 201) throw new Error(`booking across midnight: ${late.status} ${JSON.stringify(late.body)}`);
    return { ...w, late };
  }

  t.test('offer Friday’s slots on Friday', async (t) => {
    const { owl } = await nightHours(runtime, shared);
    t.same(starts(await slots(app, owl, 'date=2026-06-12&duration=60')), ['22:00', '22:30', '23:00', '23:30'].map((h) => `2026-06-12T${h}:00+03:00`));
  });

  t.test('continue on Saturday', async (t) => {
    const { owl } = await nightHours(runtime, shared);
    t.same(starts(await slots(app, owl, 'date=2026-06-13&duration=60')), ['00:00', '00:30', '01:00'].map((h) => `2026-06-13T${h}:00+03:00`), 'Friday’s hours continue on Saturday');
  });

  t.test('a range covers both dates', async (t) => {
    const { owl } = await nightHours(runtime, shared);
    t.equal((await slots(app, owl, 'from=2026-06-12&to=2026-06-13&duration=60')).length, 7, 'a range covers both');
  });

  t.test('a booking across midnight is claimed in both days', async (t) => {
    const { c, owl, alice } = await night(runtime);
    const late = await book(runtime, c.org, c.manager.token, { specialist_id: owl, client_id: alice.record, start: '2026-06-12T23:30:00+03:00' });
    t.equal(late.status, 201);
    t.equal(late.body.end, '2026-06-13T00:30:00+03:00');
    const streams = await runtime.connection.db.selectFrom('events').select('stream_id').where('type', '=', 'SlotClaimed').where('stream_id', 'like', `schedule-${c.org}-%`).orderBy('global_position').execute();
    t.same(streams.map((e) => e.stream_id), [`schedule-${c.org}-2026-06-12`, `schedule-${c.org}-2026-06-13`], 'claimed in both days');
  });

  t.test('a booking across midnight takes its time from both days’ slots', async (t) => {
    const { owl } = await lateBooking();
    t.same(starts(await slots(app, owl, 'date=2026-06-13&duration=60')), ['2026-06-13T00:30:00+03:00', '2026-06-13T01:00:00+03:00'], 'Saturday’s first half hour is taken');
    t.same(starts(await slots(app, owl, 'date=2026-06-12&duration=60')), ['2026-06-12T22:00:00+03:00', '2026-06-12T22:30:00+03:00']);
  });

  t.test('the next day sees the appointment from the day before: the specialist is taken (409)', async (t) => {
    const { c, owl, bob } = await lateBooking();
    const specialistNextDay = await book(runtime, c.org, c.manager.token, { specialist_id: owl, client_id: bob.record, start: '2026-06-13T00:00:00+03:00', duration: 30 });
    t.equal(specialistNextDay.status, 409, 'the next day sees the appointment from the day before');
    t.ok(specialistNextDay.body.errors.specialist_id);
  });

  t.test('the next day sees the appointment from the day before: the client is taken, with another specialist too (409)', async (t) => {
    const { c, lark, alice } = await lateBooking();
    const clientNextDay = await book(runtime, c.org, c.manager.token, { specialist_id: lark, client_id: alice.record, start: '2026-06-13T00:00:00+03:00', duration: 30 });
    t.equal(clientNextDay.status, 409, 'and so does the client booked with another specialist');
    t.same(Object.keys(clientNextDay.body.errors), ['client_id']);
  });

  t.test('right after a booking across midnight the client is free', async (t) => {
    const { c, lark, alice } = await lateBooking();
    t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: lark, client_id: alice.record, start: '2026-06-13T00:30:00+03:00', duration: 30 })).status, 201, 'right after it is free');
  });

  t.test('cancelling a booking across midnight frees both days', async (t) => {
    const { c, owl, late } = await lateBooking();
    const cancelled = await call(app, 'POST', `/api/v1/appointments/${late.body.id}/cancel`, { token: c.manager.token, body: { reason: 'moved' } });
    t.equal(cancelled.status, 200);
    t.same(starts(await slots(app, owl, 'date=2026-06-13&duration=60')), ['2026-06-13T00:00:00+03:00', '2026-06-13T00:30:00+03:00', '2026-06-13T01:00:00+03:00'], 'cancelling frees both days');
  });
});

t.test('slot queries', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const c = await clinic(runtime, 'Queries');
  async function who() {
    return { c, doctor: await specialist(runtime, c, `Dr Who ${++clinics}`, { time_zone: 'UTC', weekly: everyDay([{ start: '09:00', end: '10:00' }]) }) };
  }

  t.test('need a date (400)', async (t) => {
    const { doctor } = await who();
    t.equal((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?duration=30`)).status, 400, 'a date is required');
  });

  t.test('need a duration (400)', async (t) => {
    const { doctor } = await who();
    t.equal((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?date=2026-12-01`)).status, 400, 'a duration too');
  });

  t.test('cover at most a week: eight days are refused, seven are fine', async (t) => {
    const { doctor } = await who();
    const tooLong = await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?from=2026-12-01&to=2026-12-08&duration=30`);
    t.same(tooLong.body.errors, { to: ['At most 7 days at once.'] });
    t.equal((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?from=2026-12-01&to=2026-12-07&duration=30`)).body.length, 21, 'a week is fine (three a day, every 15 minutes)');
  });

  t.test('of someone who is not a specialist are 404', async (t) => {
    const { c } = await who();
    t.equal((await call(app, 'GET', `/api/v1/specialists/${c.owner.id}/slots?date=2026-12-01&duration=30`)).status, 404);
  });

  t.test('with an id that is not a UUID are 400', async (t) => {
    t.equal((await call(app, 'GET', `/api/v1/specialists/not-a-uuid/slots?date=2026-12-01&duration=30`)).status, 400);
  });
});
