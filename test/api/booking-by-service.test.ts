import { randomUUID } from 'node:crypto';
import t from 'tap';
import { serviceDecider } from '../../src/commands/scheduling/service.js';
import { serviceStream, type ServiceDetails } from '../../src/events/scheduling/service.js';
import { appointmentStream } from '../../src/events/scheduling/appointment.js';
import { scheduleStream } from '../../src/events/scheduling/schedule.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { client, clinic, everyDay, recordOf, rub, specialist, type Clinic } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';
import type { EventMetadata } from '../../src/store/port.js';

// Booking by a service of the catalogue over HTTP: the service gives the
// name, duration and price (staff may set the price, a client never), its
// buffers and its seats; without a specialist, any free one who offers it
// takes the booking (fewest bookings that day first), decided on the day
// stream like every booking, so races end with exactly as many bookings as
// there is room for. Services are created through their decider (their
// routes are built elsewhere). One runtime, a fixed clock; each behaviour
// makes its own clinic, specialists, services and clients.

const clock = new Date('2026-06-01T06:00:00Z');
const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), min_notice_minutes: 0 };
const at = (hhmm: string) => `2026-06-10T${hhmm}:00+03:00`;
const DAY = '2026-06-10';
const SYSTEM: EventMetadata = { actor: { kind: 'system' }, correlationId: 'test', causationId: 'test' };
const NONE_FREE = 'No specialist who offers this service is free at this time.';

let clinics = 0;

t.test('booking by service', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });

  async function service(c: Clinic, details: Partial<ServiceDetails> & Pick<ServiceDetails, 'specialistIds'>): Promise<string> {
    const serviceId = randomUUID();
    const full: ServiceDetails = { name: 'Massage', durationMinutes: 45, price: rub(250000), capacity: 1, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, ...details };
    await runtime.deps.handle(serviceDecider, serviceStream(serviceId), { type: 'CreateService', data: { serviceId, organizationId: c.org, details: full, now: clock.toISOString() } }, SYSTEM);
    return serviceId;
  }

  /** A clinic of its own with `n` specialists working 9 to 18 in no particular room. */
  async function world(n: number) {
    const c = await clinic(runtime, `Service clinic ${++clinics}`);
    const specialists: string[] = [];
    for (let i = 0; i < n; i++) specialists.push(await specialist(runtime, c, `Therapist ${clinics}.${i}`, hours));
    return { c, specialists, record: () => recordOf(runtime, c, uniquePhone()) };
  }

  const bookAs = (c: Clinic, token: string, body: Record<string, unknown>) => call(runtime.app, 'POST', `/api/v1/organizations/${c.org}/appointments`, { token, body });
  const byManager = (c: Clinic, body: Record<string, unknown>) => bookAs(c, c.manager.token, body);
  /** Staff book a private appointment of their own making (no service) to fill a specialist's time. */
  async function busy(c: Clinic, specialistId: string, start: string, record: string) {
    const booked = await byManager(c, { specialist_id: specialistId, client_id: record, start, duration: 60 });
    if (booked.status !== 201) throw new Error(`filling ${specialistId} at ${start}: ${booked.status} ${JSON.stringify(booked.body)}`);
  }
  const bookedEvent = async (appointmentId: string) => (await runtime.store.readStream(appointmentStream(appointmentId))).find((e) => e.type === 'AppointmentBooked')!.data as Record<string, unknown>;

  t.test('the service gives the name, the duration and the price; the appointment names the service', async (t) => {
    const { c, specialists: [doctor], record } = await world(1);
    const massage = await service(c, { name: 'Deep massage', durationMinutes: 90, price: rub(420000), specialistIds: [doctor!] });
    const booked = await byManager(c, { service_id: massage, specialist_id: doctor, client_id: await record(), start: at('10:00') });
    t.equal(booked.status, 201, 'booked');
    t.match(booked.body, { specialist_id: doctor, service_id: massage, series_id: null, service: 'Deep massage', cost: rub(420000), start: at('10:00'), end: at('11:30'), duration: 90 });
    const read = await call(runtime.app, 'GET', `/api/v1/appointments/${booked.body.id}`, { token: c.manager.token });
    t.match(read.body, { service_id: massage, series_id: null }, 'the read model keeps the service');
    t.match(await bookedEvent(booked.body.id), { serviceId: massage, service: 'Deep massage', cost: rub(420000) }, 'and so does the appointment’s stream');
    const plain = await byManager(c, { specialist_id: doctor, client_id: await record(), start: at('14:00'), duration: 30 });
    t.match(plain.body, { service_id: null, series_id: null, service: '', cost: null }, 'a booking without a service names none');

    const person = await client(runtime, uniquePhone());
    const own = await bookAs(c, person.token, { service_id: massage, start: at('12:00') });
    t.equal(own.status, 201, 'booked by the client');
    t.match(own.body, { service_id: massage, service: 'Deep massage', cost: rub(420000), duration: 90 }, 'a client booking by service pays the service’s price');
  });

  t.test('a service_id must be this organization’s active service, its duration its own, its specialist one who offers it', async (t) => {
    const { c, specialists: [doctor, nurse], record } = await world(2);
    const massage = await service(c, { specialistIds: [doctor!] });
    const other = await clinic(runtime, `Service clinic ${++clinics}`);
    const elsewhere = await service(other, { specialistIds: [] });
    const removed = await service(c, { specialistIds: [doctor!] });
    await runtime.deps.handle(serviceDecider, serviceStream(removed), { type: 'RemoveService', data: { now: clock.toISOString() } }, SYSTEM);
    const recordId = await record();
    const refusal = async (body: Record<string, unknown>) => {
      const reply = await byManager(c, { client_id: recordId, start: at('10:00'), ...body });
      t.equal(reply.status, 400, JSON.stringify(body));
      return Object.keys(reply.body.errors ?? {});
    };
    t.same(await refusal({ service_id: randomUUID() }), ['service_id'], 'an unknown service');
    t.same(await refusal({ service_id: elsewhere }), ['service_id'], 'another organization’s service');
    t.same(await refusal({ service_id: removed }), ['service_id'], 'a removed service');
    t.same(await refusal({ service_id: massage, duration: 30 }), ['duration'], 'the service sets the duration');
    t.same(await refusal({ service_id: massage, specialist_id: nurse }), ['specialist_id'], 'a specialist who does not offer it');
    t.same(await refusal({ service_id: massage, service: 'Something else' }), ['service'], 'the service names itself');
    t.same(await refusal({ duration: 30 }), ['specialist_id'], 'without a service the specialist is still required');
    t.same(await refusal({ specialist_id: doctor }), ['duration'], 'and so is the duration');
    t.same((await byManager(c, { service_id: massage, client_id: recordId, start: at('10:00') })).status, 201, 'the same booking, well formed, passes');
  });

  t.test('a client’s own price is refused; staff may set it, recorded with who booked', async (t) => {
    const { c, specialists: [doctor], record } = await world(1);
    const massage = await service(c, { price: rub(250000), specialistIds: [doctor!] });
    const person = await client(runtime, uniquePhone());
    const cheap = await bookAs(c, person.token, { service_id: massage, start: at('10:00'), cost: rub(100) });
    t.equal(cheap.status, 400);
    t.same(Object.keys(cheap.body.errors), ['cost'], 'a client never sets the price');
    t.same((await call(runtime.app, 'GET', `/api/v1/clients/${person.id}/sessions`, { token: person.token })).body, [], 'nothing was booked');

    const discounted = await byManager(c, { service_id: massage, client_id: await record(), start: at('10:00'), cost: rub(200000) });
    t.equal(discounted.status, 201, 'booked at the price staff set');
    t.match(discounted.body, { cost: rub(200000), service: 'Massage', service_id: massage });
    t.match(await bookedEvent(discounted.body.id), { cost: rub(200000), serviceId: massage, bookedBy: { kind: 'user', id: c.manager.id } }, 'the price staff set, and who set it');
  });

  t.test('a service’s buffers are kept on top of the specialist’s own', async (t) => {
    const { c, specialists: [doctor], record } = await world(1);
    const massage = await service(c, { durationMinutes: 60, bufferAfterMinutes: 30, specialistIds: [doctor!] });
    const massageAtTen = await byManager(c, { service_id: massage, client_id: await record(), start: at('10:00') });
    t.equal(massageAtTen.status, 201);
    const right = await byManager(c, { specialist_id: doctor, client_id: await record(), start: at('11:00'), duration: 30 });
    t.equal(right.status, 409, 'the half hour after the massage is kept');
    t.ok(right.body.errors.specialist_id);
    t.equal((await byManager(c, { specialist_id: doctor, client_id: await record(), start: at('11:30'), duration: 30 })).status, 201, 'after it the specialist is free');
    const claims = await runtime.store.readStream(scheduleStream(c.org, DAY));
    t.match(claims[0]?.data, { bufferBeforeMinutes: 0, bufferAfterMinutes: 30, terms: { serviceId: massage } }, 'the claim holds the service’s buffer');

    const moved = await call(runtime.app, 'PATCH', `/api/v1/appointments/${massageAtTen.body.id}`, { token: c.manager.token, body: { start: at('14:00') } });
    t.match(moved.body, { start: at('14:00'), end: at('15:00'), service_id: massage }, 'moved, still the service’s');
    t.equal((await byManager(c, { specialist_id: doctor, client_id: await record(), start: at('15:00'), duration: 30 })).status, 409, 'its buffer moved with it');
    t.equal((await byManager(c, { specialist_id: doctor, client_id: await record(), start: at('10:00'), duration: 30 })).status, 201, 'and its old time is free');
  });

  t.test('any specialist: the first one tried is busy, the next one who offers the service gets it', async (t) => {
    const { c, specialists: [first, second, outsider], record } = await world(3);
    const massage = await service(c, { durationMinutes: 60, specialistIds: [first!, second!] });
    // `first` has one booking that day (at ten), `second` two elsewhere in the day: `first` is tried first, and is busy.
    await busy(c, first!, at('10:00'), await record());
    await busy(c, second!, at('14:00'), await record());
    await busy(c, second!, at('16:00'), await record());
    const booked = await byManager(c, { service_id: massage, client_id: await record(), start: at('10:00') });
    t.equal(booked.status, 201, 'booked');
    t.equal(booked.body.specialist_id, second, 'the free one who offers it');
    t.not(booked.body.specialist_id, outsider, 'never one who does not offer it');
  });

  t.test('any specialist: the one with the fewest bookings that day wins, then the lower id', async (t) => {
    const { c, specialists, record } = await world(3);
    const [a, b, z] = [...specialists].sort();
    const massage = await service(c, { durationMinutes: 30, specialistIds: [z!, b!, a!] });
    await busy(c, a!, at('09:00'), await record());
    await busy(c, a!, at('15:00'), await record());
    await busy(c, b!, at('16:00'), await record());
    const fewest = await byManager(c, { service_id: massage, client_id: await record(), start: at('12:00') });
    t.equal(fewest.body.specialist_id, z, 'no bookings that day');
    const tie = await byManager(c, { service_id: massage, client_id: await record(), start: at('12:00') });
    t.equal(tie.body.specialist_id, b, 'one booking each: the lower id');
  });

  t.test('any specialist: none free is 409 saying so; the client’s own conflict is named as such', async (t) => {
    const { c, specialists: [first, second], record } = await world(2);
    const massage = await service(c, { durationMinutes: 60, specialistIds: [first!, second!] });
    await busy(c, first!, at('10:00'), await record());
    await busy(c, second!, at('10:30'), await record());
    const none = await byManager(c, { service_id: massage, client_id: await record(), start: at('10:00') });
    t.equal(none.status, 409);
    t.same(none.body.errors, { specialist_id: [NONE_FREE] });
    t.equal(none.body.detail, 'The appointment conflicts with the schedule.');

    const alice = await record();
    await busy(c, first!, at('13:00'), alice);
    const twice = await byManager(c, { service_id: massage, client_id: alice, start: at('13:00') });
    t.equal(twice.status, 409);
    t.ok(twice.body.errors.client_id, 'the client is busy, whoever the specialist');
  });

  t.test('30 bookings racing for a group session of 3 seats: exactly 3 win; a client never holds two seats', async (t) => {
    const { c, specialists: [coach], record } = await world(1);
    const yoga = await service(c, { name: 'Yoga', durationMinutes: 60, capacity: 3, price: rub(80000), specialistIds: [coach!] });
    const records = await Promise.all(Array.from({ length: 30 }, () => record()));
    const replies = await Promise.all(records.map((r) => byManager(c, { service_id: yoga, specialist_id: coach, client_id: r, start: at('10:00') })));
    const statuses = replies.map((r) => r.status);
    t.equal(statuses.filter((s) => s === 201).length, 3, 'three seats taken');
    t.equal(statuses.filter((s) => s === 409).length, 27, 'every other one refused');
    t.same(replies.find((r) => r.status === 409)?.body.errors, { start: ['Every seat of this session is taken.'] });
    const winners = replies.filter((r) => r.status === 201).map((r) => r.body);
    t.same(new Set(winners.map((w) => `${w.specialist_id} ${w.start} ${w.end}`)).size, 1, 'one session');
    t.same(new Set(winners.map((w) => w.client_id)).size, 3, 'three clients');

    const { c: c2, specialists: [coach2], record: record2 } = await world(1);
    const pilates = await service(c2, { name: 'Pilates', durationMinutes: 60, capacity: 3, specialistIds: [coach2!] });
    const alice = await record2();
    t.equal((await byManager(c2, { service_id: pilates, client_id: alice, start: at('10:00') })).status, 201, 'a seat');
    const again = await byManager(c2, { service_id: pilates, client_id: alice, start: at('10:00') });
    t.equal(again.status, 409, 'the same client twice');
    t.ok(again.body.errors.client_id, 'named as the client');
    t.equal((await byManager(c2, { service_id: pilates, client_id: await record2(), start: at('10:00') })).status, 201, 'seats remain for others');
  });

  t.test('20 "any specialist" bookings of one slot with 3 who offer it: exactly 3 win, each with another specialist', async (t) => {
    const { c, specialists, record } = await world(3);
    const massage = await service(c, { durationMinutes: 60, specialistIds: specialists });
    const records = await Promise.all(Array.from({ length: 20 }, () => record()));
    const replies = await Promise.all(records.map((r) => byManager(c, { service_id: massage, client_id: r, start: at('11:00') })));
    const won = replies.filter((r) => r.status === 201).map((r) => r.body);
    t.equal(won.length, 3, 'one per specialist');
    t.equal(replies.filter((r) => r.status === 409).length, 17, 'the rest refused');
    t.same(replies.find((r) => r.status === 409)?.body.errors, { specialist_id: [NONE_FREE] });
    t.same(new Set(won.map((w) => w.specialist_id)), new Set(specialists), 'no specialist booked twice');
    const book = (await call(runtime.app, 'GET', `/api/v1/organizations/${c.org}/appointments?date=${DAY}`, { token: c.manager.token })).body as { specialist_id: string }[];
    t.equal(book.length, 3, 'three appointments in the book');
    t.same(new Set(book.map((a) => a.specialist_id)).size, 3, 'on three specialists');
  });
});
