import t from 'tap';
import { call, startRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, place, specialist } from '../helpers/scheduling.js';

// Free slots through HTTP: local times through the zone on daylight-saving
// days, hours across midnight (and a booking across it, held in both days).

const slots = async (app: Parameters<typeof call>[0], id: string, query: string) => {
  const reply = await call(app, 'GET', `/api/v1/specialists/${id}/slots?${query}`);
  if (reply.status !== 200) throw new Error(`slots ${query}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as { start: string; end: string; place_id: string | null }[];
};
const starts = (list: { start: string }[]) => list.map((s) => s.start);

t.test('Europe/Berlin: the right local slots on 2026-03-29 and 2026-10-25', async (t) => {
  let clock = new Date('2026-03-20T08:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const c = await clinic(runtime);
  const room = await place(runtime, c, 'Room 1');
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

  const spring = await slots(app, doctor, 'date=2026-03-29&duration=60');
  t.same(starts(spring), ['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-29T04:00:00+02:00', '2026-03-29T09:00:00+02:00', '2026-03-29T10:00:00+02:00', '2026-03-29T11:00:00+02:00'],
    'the night loses the skipped hour; the day keeps its local times at the new offset');
  t.equal(spring[0]!.end, '2026-03-29T03:00:00+02:00', 'an hour of real time, across the jump');
  t.same(starts(await slots(app, doctor, 'date=2026-03-28&duration=60')), ['2026-03-28T09:00:00+01:00', '2026-03-28T10:00:00+01:00', '2026-03-28T11:00:00+01:00'], 'the day before at +01:00');

  const alice = await client(runtime, '+79517586201', c);
  const booked = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-03-29T03:00:00+02:00' });
  t.equal(booked.status, 201);
  t.match(booked.body, { start: '2026-03-29T03:00:00+02:00', end: '2026-03-29T04:00:00+02:00' });
  t.notOk(starts(await slots(app, doctor, 'date=2026-03-29&duration=60')).includes('2026-03-29T03:00:00+02:00'), 'a booked slot is gone');
  const gap = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-03-29T08:30:00+02:00' });
  t.same(gap.body.errors, { start: ['The specialist does not work at this time (or not at this place).'] });

  clock = new Date('2026-10-20T08:00:00Z');
  const autumn = await slots(app, doctor, 'date=2026-10-25&duration=60');
  t.same(starts(autumn), [
    '2026-10-25T01:00:00+02:00', '2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00', '2026-10-25T03:00:00+01:00', '2026-10-25T04:00:00+01:00',
    '2026-10-25T09:00:00+01:00', '2026-10-25T10:00:00+01:00', '2026-10-25T11:00:00+01:00',
  ], 'the repeated hour is offered twice, told apart by its offset');
});

t.test('hours across midnight: slots on both dates, and a booking across midnight held in both days', async (t) => {
  const clock = new Date('2026-06-01T06:00:00Z');
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const c = await clinic(runtime);
  const room = await place(runtime, c, 'Room 1');
  const hall = await place(runtime, c, 'Hall');
  // Friday 2026-06-12 22:00 to Saturday 02:00, Moscow time.
  const owl = await specialist(runtime, c, 'Dr Owl', { time_zone: 'Europe/Moscow', weekly: [{ weekday: 5, start: '22:00', end: '02:00', place_id: room }], slot_step_minutes: 30, min_notice_minutes: 0 });
  const lark = await specialist(runtime, c, 'Dr Lark', { time_zone: 'Europe/Moscow', weekly: [{ weekday: 6, start: '00:00', end: '06:00', place_id: hall }], slot_step_minutes: 30, min_notice_minutes: 0 });

  t.same(starts(await slots(app, owl, 'date=2026-06-12&duration=60')), ['22:00', '22:30', '23:00', '23:30'].map((h) => `2026-06-12T${h}:00+03:00`));
  t.same(starts(await slots(app, owl, 'date=2026-06-13&duration=60')), ['00:00', '00:30', '01:00'].map((h) => `2026-06-13T${h}:00+03:00`), 'Friday’s hours continue on Saturday');
  t.equal((await slots(app, owl, 'from=2026-06-12&to=2026-06-13&duration=60')).length, 7, 'a range covers both');

  const alice = await client(runtime, '+79517586201', c);
  const bob = await client(runtime, '+79517586202', c);
  const late = await book(runtime, c.org, c.manager.token, { specialist_id: owl, client_id: alice.record, start: '2026-06-12T23:30:00+03:00' });
  t.equal(late.status, 201);
  t.equal(late.body.end, '2026-06-13T00:30:00+03:00');
  const streams = await runtime.connection.db.selectFrom('events').select('stream_id').where('type', '=', 'SlotClaimed').orderBy('global_position').execute();
  t.same(streams.map((e) => e.stream_id), [`schedule-${c.org}-2026-06-12`, `schedule-${c.org}-2026-06-13`], 'claimed in both days');

  t.same(starts(await slots(app, owl, 'date=2026-06-13&duration=60')), ['2026-06-13T00:30:00+03:00', '2026-06-13T01:00:00+03:00'], 'Saturday’s first half hour is taken');
  t.same(starts(await slots(app, owl, 'date=2026-06-12&duration=60')), ['2026-06-12T22:00:00+03:00', '2026-06-12T22:30:00+03:00']);
  const specialistNextDay = await book(runtime, c.org, c.manager.token, { specialist_id: owl, client_id: bob.record, start: '2026-06-13T00:00:00+03:00', duration: 30 });
  t.equal(specialistNextDay.status, 409, 'the next day sees the appointment from the day before');
  t.ok(specialistNextDay.body.errors.specialist_id);
  const clientNextDay = await book(runtime, c.org, c.manager.token, { specialist_id: lark, client_id: alice.record, start: '2026-06-13T00:00:00+03:00', duration: 30 });
  t.equal(clientNextDay.status, 409, 'and so does the client booked with another specialist');
  t.same(Object.keys(clientNextDay.body.errors), ['client_id']);
  t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: lark, client_id: alice.record, start: '2026-06-13T00:30:00+03:00', duration: 30 })).status, 201, 'right after it is free');

  const cancelled = await call(app, 'POST', `/api/v1/appointments/${late.body.id}/cancel`, { token: c.manager.token, body: { reason: 'moved' } });
  t.equal(cancelled.status, 200);
  t.same(starts(await slots(app, owl, 'date=2026-06-13&duration=60')), ['2026-06-13T00:00:00+03:00', '2026-06-13T00:30:00+03:00', '2026-06-13T01:00:00+03:00'], 'cancelling frees both days');
});

t.test('slot queries: a date or a range of up to a week, a duration, a known specialist', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const c = await clinic(runtime);
  const doctor = await specialist(runtime, c, 'Dr Who', { time_zone: 'UTC', weekly: everyDay([{ start: '09:00', end: '10:00' }]) });
  t.equal((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?duration=30`)).status, 400, 'a date is required');
  t.equal((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?date=2026-12-01`)).status, 400, 'a duration too');
  const tooLong = await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?from=2026-12-01&to=2026-12-08&duration=30`);
  t.same(tooLong.body.errors, { to: ['At most 7 days at once.'] });
  t.equal((await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?from=2026-12-01&to=2026-12-07&duration=30`)).body.length, 21, 'a week is fine (three a day, every 15 minutes)');
  t.equal((await call(app, 'GET', `/api/v1/specialists/${c.owner.id}/slots?date=2026-12-01&duration=30`)).status, 404);
  t.equal((await call(app, 'GET', `/api/v1/specialists/not-a-uuid/slots?date=2026-12-01&duration=30`)).status, 400);
});
