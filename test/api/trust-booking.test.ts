import { randomUUID } from 'node:crypto';
import t from 'tap';
import { recordIdFor } from '../../src/events/clients/client-record.js';
import { appointmentStream } from '../../src/events/scheduling/appointment.js';
import { appointmentReminderHandler } from '../../src/workflows/scheduling/appointment-reminders.js';
import { rawStore } from '../helpers/raw-store.js';
import { loadConfig } from '../../src/config.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, bookSelf, client, clinic, everyDay, recordOf, rub, specialist, type Clinic } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';

// The trust model for booking (docs/trust-model.md), each rule as the attack
// it stops, over HTTP: an appointment names the organization's client
// record; prices and services are the organization's word; a person reaches
// an appointment only through their link to its record; staff ids never
// reach clients. One runtime and clinic; each behaviour has its own
// specialist and people (a clinic is costly to make).

const clock = new Date('2026-06-01T06:00:00Z');
const ten = '2026-06-10T10:00:00+03:00';
const at = (hhmm: string) => `2026-06-10T${hhmm}:00+03:00`;

/** A phone nobody in this file has used (behaviours share a runtime). */
const phone = uniquePhone;
// Every behaviour's doctor has the same name: reminders name them.
const doctorOf = (runtime: TestRuntime, c: Clinic) => specialist(runtime, c, 'Dr Ivanova', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), min_notice_minutes: 0 });

async function eventCount(runtime: TestRuntime): Promise<number> {
  const row = await runtime.connection.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

t.test('booking trust', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const { app } = runtime;
  const a = await clinic(runtime, 'Clinic');
  const b = await clinic(runtime, 'Other');
  const noSuchClient = { client_id: ['No client of this organization with this id.'] };

  /** Bob, with no record at the clinic yet (a booking that went on would open one), and a doctor of his own. */
  async function bobAlone() {
    return { doctor: await doctorOf(runtime, a), bob: await client(runtime, phone()) };
  }

  t.test('a client booking themself cannot set the price: 400 naming it, nothing appended', async (t) => {
    const { doctor, bob } = await bobAlone();
    const before = await eventCount(runtime);
    const free = await bookSelf(runtime, a.org, bob.token, { specialist_id: doctor, start: ten, cost: { amount: 0, currency: 'RUB' } });
    t.equal(free.status, 400);
    t.same(free.body.errors, { cost: ['A client booking for themself does not set the price.'] });
    t.equal(await eventCount(runtime), before, 'no event appended (no record opened, no time claimed)');
  });

  t.test('a client booking themself cannot set the service: 400 naming it, nothing appended', async (t) => {
    const { doctor, bob } = await bobAlone();
    const before = await eventCount(runtime);
    const spam = await bookSelf(runtime, a.org, bob.token, { specialist_id: doctor, start: ten, service: 'FREE! call +7 900 000-00-00' });
    t.equal(spam.status, 400);
    t.same(spam.body.errors, { service: ['A client booking for themself does not set the service.'] });
    t.equal(await eventCount(runtime), before, 'no event appended (no record opened, no time claimed)');
  });

  t.test('a client booking themself with a price and a service: both named at once, nothing appended', async (t) => {
    const { doctor, bob } = await bobAlone();
    const before = await eventCount(runtime);
    const both = await bookSelf(runtime, a.org, bob.token, { specialist_id: doctor, start: ten, service: 'x', cost: rub(1) });
    t.same(Object.keys(both.body.errors).sort(), ['cost', 'service'], 'both named at once');
    t.equal(await eventCount(runtime), before, 'no event appended (no record opened, no time claimed)');
  });

  /** Bob booked himself at ten, without a price or a service. */
  async function plainBooking() {
    const w = await bobAlone();
    const plain = await bookSelf(runtime, a.org, w.bob.token, { specialist_id: w.doctor, start: ten });
    if (plain.status !== 201) throw new Error(`bob booking himself: ${plain.status} ${JSON.stringify(plain.body)}`);
    return { ...w, plain: plain.body.id as string };
  }

  t.test('a client booking themself without them goes through, unpriced', async (t) => {
    const { doctor, bob } = await bobAlone();
    const plain = await bookSelf(runtime, a.org, bob.token, { specialist_id: doctor, start: ten });
    t.equal(plain.status, 201, 'without them the booking goes through');
    t.match(plain.body, { service: '', cost: null, status: 'pending' });
  });

  t.test('staff see no price on a client’s own booking', async (t) => {
    const { plain } = await plainBooking();
    t.match((await call(app, 'GET', `/api/v1/appointments/${plain}`, { token: a.manager.token })).body, { service: '', cost: null }, 'staff see no price yet');
  });

  t.test('the client does not price their booking later (403)', async (t) => {
    const { plain, bob } = await plainBooking();
    t.equal((await call(app, 'PATCH', `/api/v1/appointments/${plain}`, { token: bob.token, body: { cost: rub(0) } })).status, 403, 'the client does not price it later either');
  });

  t.test('staff set the price of a client’s own booking', async (t) => {
    const { plain } = await plainBooking();
    const priced = await call(app, 'PATCH', `/api/v1/appointments/${plain}`, { token: a.manager.token, body: { cost: rub(250000) } });
    t.match(priced.body, { cost: rub(250000) }, 'staff set the price');
  });

  /** Alice has a record at A, linked; Bob has none. */
  async function aliceAndBob() {
    return { doctor: await doctorOf(runtime, a), alice: await client(runtime, phone(), a), bob: await client(runtime, phone()) };
  }

  t.test('staff of B cannot book A’s record in B (400)', async (t) => {
    const { alice } = await aliceAndBob();
    const otherDoctor = await doctorOf(runtime, b);
    const foreign = await book(runtime, b.org, b.manager.token, { specialist_id: otherDoctor, client_id: alice.record, start: ten });
    t.equal(foreign.status, 400, 'B’s staff cannot book A’s record in B');
    t.same(foreign.body.errors, noSuchClient);
  });

  t.test('staff of B cannot book in A, where they are nobody (404)', async (t) => {
    const { doctor, alice } = await aliceAndBob();
    t.equal((await book(runtime, a.org, b.manager.token, { specialist_id: doctor, client_id: alice.record, start: ten })).status, 404, 'nor in A, where they are nobody');
  });

  t.test('staff cannot book an account id, even of a person linked here (400)', async (t) => {
    const { doctor, alice } = await aliceAndBob();
    const byAccount = await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: alice.id, start: ten });
    t.equal(byAccount.status, 400, 'an account id is not a record, even of a person linked here');
    t.same(byAccount.body.errors, noSuchClient);
  });

  t.test('staff cannot book the id a record of someone who never booked here would have', async (t) => {
    const { doctor, bob } = await aliceAndBob();
    const guessed = await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: recordIdFor(a.org, bob.id), start: ten });
    t.same(guessed.body.errors, noSuchClient, 'nor the id a record of someone who never booked here would have');
  });

  t.test('staff cannot book a removed record', async (t) => {
    const doctor = await doctorOf(runtime, a);
    const walkIn = await recordOf(runtime, a, phone());
    t.equal((await call(app, 'DELETE', `/api/v1/organizations/${a.org}/clients/${walkIn}`, { token: a.owner.token })).status, 204);
    t.same((await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: walkIn, start: ten })).body.errors, noSuchClient, 'nor a removed record');
  });

  t.test('staff book an open record of their own: the appointment names the record, in the event too', async (t) => {
    const { doctor, alice } = await aliceAndBob();
    const ok = await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: alice.record, start: ten });
    t.equal(ok.status, 201);
    t.equal(ok.body.client_id, alice.record, 'the appointment names the record');
    const stored = await runtime.store.readStream(appointmentStream(ok.body.id as string));
    t.match(stored[0]?.data, { schemaVersion: 2, slot: { clientId: alice.record } }, 'in the event too');
  });

  /** Alice's appointment, and one on a record naming Bob's phone that Bob never accepted: offered, not linked. */
  async function offered() {
    const { doctor, alice, bob } = await aliceAndBob();
    const record = await recordOf(runtime, a, bob.phone, 'Bob');
    const onOffered = await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: record, start: at('10:00') });
    const alices = await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: alice.record, start: at('12:00') });
    if (onOffered.status !== 201 || alices.status !== 201) throw new Error(`booking: ${onOffered.status} ${alices.status}`);
    return { alice, bob, record, onOffered: onOffered.body.id as string, alices: alices.body.id as string };
  }

  for (const [key, whose] of [['onOffered', 'a record naming their phone, not linked'], ['alices', 'another person’s']] as const) {
    t.test(`a client cannot read or cancel an appointment on ${whose} (404); it stands`, async (t) => {
      const w = await offered();
      const id = w[key];
      t.equal((await call(app, 'GET', `/api/v1/appointments/${id}`, { token: w.bob.token })).status, 404, `bob cannot read ${whose}`);
      t.equal((await call(app, 'POST', `/api/v1/appointments/${id}/cancel`, { token: w.bob.token, body: { reason: 'x' } })).status, 404, `nor cancel it`);
      t.equal((await call(app, 'GET', `/api/v1/appointments/${id}`, { token: a.manager.token })).body.status, 'pending', 'it stands');
    });
  }

  t.test('a client reads the appointments of their linked record only', async (t) => {
    const { alice, onOffered, alices } = await offered();
    t.equal((await call(app, 'GET', `/api/v1/appointments/${onOffered}`, { token: alice.token })).status, 404, 'alice cannot read the other record’s');
    t.equal((await call(app, 'GET', `/api/v1/appointments/${alices}`, { token: alice.token })).status, 200, 'she reads her own');
  });

  t.test('once a client accepts the record, they reach its appointment', async (t) => {
    const { bob, record, onOffered } = await offered();
    t.equal((await call(app, 'POST', `/api/v1/clients/me/links/${record}/accept`, { token: bob.token, body: {} })).status, 200, 'bob accepts the record');
    t.equal((await call(app, 'GET', `/api/v1/appointments/${onOffered}`, { token: bob.token })).status, 200, 'linked, he reaches its appointment');
  });

  t.test('staff cancel: staff see which colleague, the client only that staff did', async (t) => {
    const { doctor, alice } = await aliceAndBob();
    const byStaff = (await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: alice.record, start: at('10:00') })).body.id as string;
    const cancelled = await call(app, 'POST', `/api/v1/appointments/${byStaff}/cancel`, { token: a.manager.token, body: { reason: 'the doctor is ill' } });
    t.same(cancelled.body.cancelled_by, { kind: 'user', id: a.manager.id }, 'staff see which colleague cancelled');
    const seen = await call(app, 'GET', `/api/v1/appointments/${byStaff}`, { token: alice.token });
    t.same(seen.body.cancelled_by, { kind: 'user' }, 'the client sees that staff cancelled');
    t.notOk(JSON.stringify(seen.body).includes(a.manager.id), 'and no staff id anywhere in the reply');
  });

  t.test('a client cancels: staff see that the client did, not the person’s account id', async (t) => {
    const { doctor, alice } = await aliceAndBob();
    const byClient = (await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: alice.record, start: at('12:00') })).body.id as string;
    const own = await call(app, 'POST', `/api/v1/appointments/${byClient}/cancel`, { token: alice.token, body: { reason: 'ill' } });
    t.same(own.body.cancelled_by, { kind: 'client' });
    const staffView = await call(app, 'GET', `/api/v1/appointments/${byClient}`, { token: a.manager.token });
    t.same(staffView.body.cancelled_by, { kind: 'client' }, 'staff see the client cancelled, not the person’s account id');
    t.notOk(JSON.stringify(staffView.body).includes(alice.id));
  });

  /** The reminder job's handler with an SMS sender that keeps what it is given. */
  function reminderSender() {
    const sent: { to: string; text: string }[] = [];
    const handler = appointmentReminderHandler({ store: runtime.store, db: runtime.connection.db, limits: loadConfig({}).rateLimits, contacts: runtime.deps.contacts, logger: runtime.app.log, sms: { send: async (to, text) => void sent.push({ to, text }) }, now: () => clock });
    const remind = (job: { appointmentId: string; start: string }) => handler(job, { attempt: 1, jobId: `reminder-${job.appointmentId}` });
    return { sent, remind };
  }
  /** Alice's massage at ten, booked by staff. */
  async function massage() {
    const { doctor, alice } = await aliceAndBob();
    const id = (await book(runtime, a.org, a.manager.token, { specialist_id: doctor, client_id: alice.record, start: ten, service: 'Massage' })).body.id as string;
    return { doctor, alice, id };
  }

  t.test('a reminder goes to the record’s contact phone, naming the service staff set', async (t) => {
    const { sent, remind } = reminderSender();
    const { alice, id } = await massage();
    await remind({ appointmentId: id, start: '2026-06-10T07:00:00.000Z' });
    t.same(sent, [{ to: alice.phone, text: 'Reminder: Massage with Dr Ivanova on 2026-06-10 at 10:00.' }]);
  });

  t.test('a legacy booking whose client typed the service is reminded without their words, to their record’s phone', async (t) => {
    const { sent, remind } = reminderSender();
    const { doctor, bob } = await bobAlone();
    // Before this change a client could type the service of their own booking;
    // such a legacy event (version 1, naming the account) reminds without it.
    t.equal((await bookSelf(runtime, a.org, bob.token, { specialist_id: doctor, start: at('15:00') })).status, 201, 'bob has his record at the clinic');
    const legacy = randomUUID();
    const slot = { claimId: `legacy-claim-${legacy}`, day: '2026-06-11', days: ['2026-06-11'], specialistId: doctor, placeId: null, clientId: bob.id, start: '2026-06-11T07:00:00.000Z', end: '2026-06-11T08:00:00.000Z', timeZone: 'Europe/Moscow' };
    const data = { appointmentId: legacy, organizationId: a.org, slot, service: 'FREE! call +7 900 000-00-00', cost: rub(0), bookedBy: { kind: 'client', id: bob.id }, bookedAt: clock.toISOString() };
    await rawStore(t, runtime).append(appointmentStream(legacy), [{ type: 'AppointmentBooked', data, metadata: { actor: { kind: 'client', id: bob.id }, correlationId: 'legacy', causationId: 'legacy' } }], { expectedVersion: 'no_stream' });
    await remind({ appointmentId: legacy, start: slot.start });
    t.same(sent.at(-1), { to: bob.phone, text: 'Reminder: Your appointment with Dr Ivanova on 2026-06-11 at 10:00.' }, 'to his record’s phone, without his words');
  });

  t.test('a removed record gets no reminder', async (t) => {
    const { sent, remind } = reminderSender();
    const { alice, id } = await massage();
    t.equal((await call(runtime.app, 'DELETE', `/api/v1/organizations/${a.org}/clients/${alice.record}`, { token: a.owner.token })).status, 204);
    const count = sent.length;
    await remind({ appointmentId: id, start: '2026-06-10T07:00:00.000Z' });
    t.equal(sent.length, count, 'a removed record gets no reminder');
  });
});
