import t, { type Test } from 'tap';
import { clientRecordStream, recordIdFor } from '../../src/events/clients/client-record.js';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, bookSelf, clinic, everyDay, recordOf, specialist } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';

// A refused booking appends nothing (issue 11, "Nothing changes on a 4xx"):
// the time is decided on every day it touches, and the record a client's own
// booking would open, before anything is written. One runtime; each behaviour
// builds its own clinic, and counts the log only once its setup is done.

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

let clinics = 0;
/** A phone nobody in this file has used (behaviours share a runtime). */
const phone = uniquePhone;
const day = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0 };
const night = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '20:00', end: '02:00' }]), min_notice_minutes: 0 };

t.test('refused bookings', async (t) => {
  const runtime = await startRuntime(t);

  async function therapistWith(runtime: TestRuntime, hours: typeof day) {
    const c = await clinic(runtime, `Clinic ${++clinics}`);
    return { c, therapist: await specialist(runtime, c, hours === night ? 'Night therapist' : 'Therapist', hours) };
  }

  t.test('a client booking themself into a taken time: 409, no record opened or linked, no event', async (t) => {
    const { c, therapist } = await therapistWith(runtime, day);
    const start = `${inDays(3)}T10:00:00+03:00`;
    const walkIn = await recordOf(runtime, c, phone());
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: walkIn, start })).status, 201, 'the time is taken');

    const who = await person(runtime, phone());
    const before = await eventCount(runtime);
    const refused = await bookSelf(runtime, c.org, who.token, { specialist_id: therapist, start });
    t.equal(refused.status, 409, 'the specialist is busy');
    t.equal(await eventCount(runtime), before, 'nothing was appended');
    t.same(await streamTypes(runtime, clientRecordStream(recordIdFor(c.org, who.id))), [], 'no record of them was opened there');
  });

  t.test('staff booking across midnight into a night whose second day is taken: 409 and no event', async (t) => {
    const { c, therapist } = await therapistWith(runtime, night);
    const first = await recordOf(runtime, c, phone());
    const second = await recordOf(runtime, c, phone());
    const taken = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: first, start: `${inDays(4)}T00:30:00+03:00` });
    t.equal(taken.status, 201, 'the early hours of the second day are taken');

    const before = await eventCount(runtime);
    const refused = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: second, start: `${inDays(3)}T23:30:00+03:00`, duration: 75 });
    t.equal(refused.status, 409, 'the second day refuses');
    t.equal(await eventCount(runtime), before, 'the first day was never held and given back');
  });

  t.test('rescheduling across midnight into a taken second day: 409 and no event', async (t) => {
    const { c, therapist } = await therapistWith(runtime, night);
    const a = await recordOf(runtime, c, phone());
    const b = await recordOf(runtime, c, phone());
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: a, start: `${inDays(4)}T00:30:00+03:00` })).status, 201);
    const moving = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: b, start: `${inDays(3)}T21:00:00+03:00` });
    t.equal(moving.status, 201);

    const before = await eventCount(runtime);
    const refused = await call(runtime.app, 'PATCH', `/api/v1/appointments/${moving.body.id}`, { token: c.owner.token, body: { start: `${inDays(3)}T23:30:00+03:00`, duration: 75 } });
    t.equal(refused.status, 409, 'the specialist is busy after midnight');
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  /** One day: a person linked by their first booking, a walk-in holding 10:00, and a walk-in appointment at 12:00 to move. */
  async function oneDay(t: Test) {
    const { c, therapist } = await therapistWith(runtime, day);
    const who = await person(runtime, phone());
    t.equal((await bookSelf(runtime, c.org, who.token, { specialist_id: therapist, start: `${inDays(3)}T09:00:00+03:00` })).status, 201, 'linked by their first booking');
    const walkIn = await recordOf(runtime, c, phone());
    const taken = `${inDays(3)}T10:00:00+03:00`;
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: walkIn, start: taken })).status, 201, 'the time is taken');
    const moving = await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: walkIn, start: `${inDays(3)}T12:00:00+03:00` });
    t.equal(moving.status, 201);
    const other = await recordOf(runtime, c, phone());
    return { c, therapist, who, taken, moving: moving.body.id as string, other };
  }

  t.test('a linked client booking a taken time (one day, nothing written before the claim): 409 and no event', async (t) => {
    const { c, therapist, who, taken } = await oneDay(t);
    const before = await eventCount(runtime);
    t.equal((await bookSelf(runtime, c.org, who.token, { specialist_id: therapist, start: taken })).status, 409, 'the linked client is refused');
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  t.test('staff booking a taken time (one day): 409 and no event', async (t) => {
    const { c, therapist, taken, other } = await oneDay(t);
    const before = await eventCount(runtime);
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: therapist, client_id: other, start: taken })).status, 409, 'staff are refused');
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  t.test('rescheduling onto a taken time (one day): 409 and no event', async (t) => {
    const { c, taken, moving } = await oneDay(t);
    const before = await eventCount(runtime);
    t.equal((await call(runtime.app, 'PATCH', `/api/v1/appointments/${moving}`, { token: c.owner.token, body: { start: taken } })).status, 409, 'the reschedule is refused');
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });
});
