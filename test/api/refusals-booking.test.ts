import t from 'tap';
import { clientRecordStream, recordIdFor } from '../../src/events/clients/client-record.js';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { book, bookSelf, clinic, everyDay, recordOf, specialist } from '../helpers/scheduling.js';

// A refused booking appends nothing (issue 11, "Nothing changes on a 4xx"):
// the time is decided on every day it touches, and the record a client's own
// booking would open, before anything is written.

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

t.test('a client booking themself into a taken time: 409, no record opened or linked, no event', async (t) => {
  const runtime = await startRuntime(t);
  const c = await clinic(runtime);
  const therapist = await specialist(runtime, c, 'Therapist', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0 });
  const start = `${inDays(3)}T10:00:00+03:00`;
  const walkIn = await recordOf(runtime, c, '+79161240001');
  t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: walkIn, start })).status, 201, 'the time is taken');

  const who = await person(runtime, '+79161240002');
  const before = await eventCount(runtime);
  const refused = await bookSelf(runtime, c.org, who.token, { specialist_id: therapist, start });
  t.equal(refused.status, 409, 'the specialist is busy');
  t.equal(await eventCount(runtime), before, 'nothing was appended');
  t.same(await streamTypes(runtime, clientRecordStream(recordIdFor(c.org, who.id))), [], 'no record of them was opened there');
});

t.test('staff booking across midnight into a night whose second day is taken: 409 and no event', async (t) => {
  const runtime = await startRuntime(t);
  const c = await clinic(runtime);
  const night = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '20:00', end: '02:00' }]), min_notice_minutes: 0 };
  const therapist = await specialist(runtime, c, 'Night therapist', night);
  const first = await recordOf(runtime, c, '+79161240003');
  const second = await recordOf(runtime, c, '+79161240004');
  const taken = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: first, start: `${inDays(4)}T00:30:00+03:00` });
  t.equal(taken.status, 201, 'the early hours of the second day are taken');

  const before = await eventCount(runtime);
  const refused = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: second, start: `${inDays(3)}T23:30:00+03:00`, duration: 75 });
  t.equal(refused.status, 409, 'the second day refuses');
  t.equal(await eventCount(runtime), before, 'the first day was never held and given back');
});

t.test('rescheduling across midnight into a taken second day: 409 and no event', async (t) => {
  const runtime = await startRuntime(t);
  const c = await clinic(runtime);
  const night = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '20:00', end: '02:00' }]), min_notice_minutes: 0 };
  const therapist = await specialist(runtime, c, 'Night therapist', night);
  const a = await recordOf(runtime, c, '+79161240005');
  const b = await recordOf(runtime, c, '+79161240006');
  t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: a, start: `${inDays(4)}T00:30:00+03:00` })).status, 201);
  const moving = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: b, start: `${inDays(3)}T21:00:00+03:00` });
  t.equal(moving.status, 201);

  const before = await eventCount(runtime);
  const refused = await call(runtime.app, 'PATCH', `/api/v1/appointments/${moving.body.id}`, { token: c.owner.token, body: { start: `${inDays(3)}T23:30:00+03:00`, duration: 75 } });
  t.equal(refused.status, 409, 'the specialist is busy after midnight');
  t.equal(await eventCount(runtime), before, 'nothing was appended');
});

t.test('one-day refusals with nothing written before the claim (a linked client, staff, a reschedule): 409 and no event', async (t) => {
  const runtime = await startRuntime(t);
  const c = await clinic(runtime);
  const therapist = await specialist(runtime, c, 'Therapist', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0 });
  const who = await person(runtime, '+79161240007');
  t.equal((await bookSelf(runtime, c.org, who.token, { specialist_id: therapist, start: `${inDays(3)}T09:00:00+03:00` })).status, 201, 'linked by their first booking');
  const walkIn = await recordOf(runtime, c, '+79161240008');
  const taken = `${inDays(3)}T10:00:00+03:00`;
  t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: walkIn, start: taken })).status, 201, 'the time is taken');
  const moving = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: walkIn, start: `${inDays(3)}T12:00:00+03:00` });
  t.equal(moving.status, 201);

  const other = await recordOf(runtime, c, '+79161240009');
  const before = await eventCount(runtime);
  t.equal((await bookSelf(runtime, c.org, who.token, { specialist_id: therapist, start: taken })).status, 409, 'the linked client is refused');
  t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: other, start: taken })).status, 409, 'staff are refused');
  t.equal((await call(runtime.app, 'PATCH', `/api/v1/appointments/${moving.body.id}`, { token: c.owner.token, body: { start: taken } })).status, 409, 'the reschedule is refused');
  t.equal(await eventCount(runtime), before, 'nothing was appended');
});
