import t from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, clinic, everyDay, place, recordOf, specialist, type Clinic } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';

// A specialist's daily limit (`max_bookings_per_day` of the working hours'
// policy) over HTTP: set and read back, enforced on the day, and exactly the
// limit let through when bookings race. One runtime (the clock never moves);
// each behaviour has its own clinic.

const clock = new Date('2026-06-01T06:00:00Z');
const day = '2026-06-10';
const at = (hhmm: string) => `${day}T${hhmm}:00+03:00`;
const hours = (room: string, limit?: number) => ({
  time_zone: 'Europe/Moscow',
  weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]),
  min_notice_minutes: 0,
  ...(limit === undefined ? {} : { max_bookings_per_day: limit }),
});
const limitOf = (n: number) => [`The specialist takes at most ${n} bookings a day.`];
let clinics = 0;

t.test('a daily limit', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;

  /** A clinic of its own with a room and a doctor without a limit, and `records` clients on its books. */
  async function world(records: number) {
    const n = ++clinics;
    const c = await clinic(runtime, `Limits ${n}`);
    const room = await place(runtime, c, `Room ${n}`);
    const doctor = await specialist(runtime, c, `Dr Ivanova ${n}`, hours(room));
    const clients = await Promise.all(Array.from({ length: records }, () => recordOf(runtime, c, uniquePhone())));
    return { c, room, doctor, clients };
  }
  const setHours = (c: Clinic, doctor: string, body: unknown) => call(app, 'PUT', `/api/v1/specialists/${doctor}/working-hours`, { token: c.owner.token, body });
  const bookAt = (r: TestRuntime, c: Clinic, doctor: string, client: string, start: string) =>
    book(r, c.org, c.manager.token, { specialist_id: doctor, client_id: client, start, duration: 30 });

  t.test('set through the working hours, read back, and absent when not set', async (t) => {
    const { c, room, doctor } = await world(0);
    const read = () => call(app, 'GET', `/api/v1/specialists/${doctor}/working-hours`, { token: c.manager.token });
    t.notOk('max_bookings_per_day' in (await read()).body, 'no limit at first');
    const set = await setHours(c, doctor, hours(room, 2));
    t.equal(set.status, 200);
    t.equal(set.body.max_bookings_per_day, 2);
    t.equal((await read()).body.max_bookings_per_day, 2, 'kept');
    t.same((await setHours(c, doctor, hours(room, 0))).body.errors, { max_bookings_per_day: ['Ensure this value is greater than or equal to 1.'] }, 'at least one');
    t.equal((await setHours(c, doctor, hours(room, 1001))).status, 400, 'at most a thousand');
    t.equal((await setHours(c, doctor, hours(room))).status, 200);
    t.notOk('max_bookings_per_day' in (await read()).body, 'lifted by hours without it');
  });

  t.test('two bookings pass, the third of the day is a 409 naming the limit; the next day and a cancellation free it', async (t) => {
    const { c, room, doctor, clients } = await world(4);
    await setHours(c, doctor, hours(room, 2));
    t.equal((await bookAt(runtime, c, doctor, clients[0]!, at('09:00'))).status, 201);
    const second = await bookAt(runtime, c, doctor, clients[1]!, at('12:00'));
    t.equal(second.status, 201);
    const third = await bookAt(runtime, c, doctor, clients[2]!, at('15:00'));
    t.equal(third.status, 409);
    t.equal(third.body.detail, 'The appointment conflicts with the schedule.');
    t.same(third.body.errors, { start: limitOf(2) });
    t.equal((await bookAt(runtime, c, doctor, clients[2]!, '2026-06-11T15:00:00+03:00')).status, 201, 'the next day is another day');
    const cancelled = await call(app, 'POST', `/api/v1/appointments/${second.body.id}/cancel`, { token: c.manager.token, body: { reason: 'ill' } });
    t.equal(cancelled.status, 200);
    t.equal((await bookAt(runtime, c, doctor, clients[3]!, at('15:00'))).status, 201, 'a cancelled booking no longer counts');
  });

  t.test('ten concurrent bookings of different times with a limit of three: exactly three pass', async (t) => {
    const { c, room, doctor, clients } = await world(10);
    await setHours(c, doctor, hours(room, 3));
    const starts = Array.from({ length: 10 }, (_, i) => at(`${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 === 0 ? '00' : '30'}`));
    const replies = await Promise.all(clients.map((client, i) => bookAt(runtime, c, doctor, client, starts[i]!)));
    const statuses = replies.map((r) => r.status);
    t.equal(statuses.filter((s) => s === 201).length, 3, 'three pass');
    t.equal(statuses.filter((s) => s === 409).length, 7, 'seven are refused');
    t.ok(replies.filter((r) => r.status === 409).every((r) => JSON.stringify(r.body.errors) === JSON.stringify({ start: limitOf(3) })), 'each naming the limit');
    const listed = await call(app, 'GET', `/api/v1/organizations/${c.org}/appointments`, { token: c.manager.token });
    t.equal((listed.body as unknown[]).length, 3, 'three in the book');
  });

  t.test('a full day offers no slots, by the specialist or by a service; the next day does', async (t) => {
    const { c, room, doctor, clients } = await world(2);
    await setHours(c, doctor, hours(room, 2));
    const service = await call(app, 'POST', `/api/v1/organizations/${c.org}/services`, {
      token: c.owner.token,
      body: { name: 'Check-up', duration_minutes: 30, price: { amount: 150000, currency: 'RUB' }, specialist_ids: [doctor] },
    });
    t.equal(service.status, 201);
    const slotsOn = async (date: string) => ({
      specialist: (await call(app, 'GET', `/api/v1/specialists/${doctor}/slots?date=${date}&duration=30`)).body as unknown[],
      service: (await call(app, 'GET', `/api/v1/organizations/${c.org}/services/${service.body.id}/slots?date=${date}`)).body as unknown[],
    });
    const before = await slotsOn(day);
    t.ok(before.specialist.length > 0 && before.service.length > 0, 'slots while the day has room');
    for (const [i, start] of [at('09:00'), at('12:00')].entries()) t.equal((await bookAt(runtime, c, doctor, clients[i]!, start)).status, 201);
    t.same(await slotsOn(day), { specialist: [], service: [] }, 'none once the day is full');
    const next = await slotsOn('2026-06-11');
    t.ok(next.specialist.length > 0 && next.service.length > 0, 'the next day still has its slots');
  });
});
