import { randomUUID } from 'node:crypto';
import t from 'tap';
import { scheduleDecider } from '../../src/commands/scheduling/schedule.js';
import { scheduleStream, type Claim } from '../../src/events/scheduling/schedule.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, rub, specialist, type Clinic } from '../helpers/scheduling.js';
import { until } from '../helpers/waiting.js';
import { uniquePhone } from '../helpers/api-spec.js';

// A request that dies half-way through a booking: its claim is in the log,
// the rest is not. The worker (from the settlement reactor's job) finishes
// it, or undoes it when a later day refuses it. Also: the embedded mode.

const clock = new Date('2026-06-01T06:00:00Z');
const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00' }]), min_notice_minutes: 0 };
const metadata = { actor: { kind: 'system' as const }, correlationId: 'crash', causationId: 'crash' };

/** What a request would have claimed, held in `heldDays` only: then it "crashed". */
async function crashedClaim(runtime: TestRuntime, claim: Claim, heldDays: readonly string[]): Promise<void> {
  const working = [{ start: Date.parse(claim.start) - 3_600_000, end: Date.parse(claim.end) + 3_600_000, placeId: null }];
  for (const day of heldDays) {
    await runtime.deps.handle(scheduleDecider, scheduleStream(claim.organizationId, day), { type: 'ClaimSlot', data: { claim, working, now: runtime.deps.now().toISOString() } }, metadata);
  }
}

/** A phone nobody in this file has used (behaviours share a runtime). */
const phone = uniquePhone;
let doctors = 0;

/** A doctor and alice of their own at clinic `c`; alice's booking at 10:00 on June 10 died after its claim. */
async function diedAfterClaim(runtime: TestRuntime, c: Clinic) {
  const doctor = await specialist(runtime, c, `Dr Ivanova ${++doctors}`, hours);
  const alice = await client(runtime, phone(), c);
  const appointmentId = randomUUID();
  await crashedClaim(runtime, {
    claimId: randomUUID(), appointmentId, organizationId: c.org, basis: -1, day: '2026-06-10', days: ['2026-06-10'],
    specialistId: doctor, placeId: null, clientId: alice.record!, start: '2026-06-10T07:00:00.000Z', end: '2026-06-10T08:00:00.000Z',
    timeZone: 'Europe/Moscow', bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
    terms: { service: 'Massage', cost: rub(300000), bookedBy: { kind: 'user', id: c.manager.id } },
  }, ['2026-06-10']);
  const appointment = await until(async () => {
    const reply = await call(runtime.app, 'GET', `/api/v1/appointments/${appointmentId}`, { token: c.manager.token });
    return reply.status === 200 ? reply.body : undefined;
  }, 12_000, 'the worker to finish the booking');
  return { c, doctor, appointmentId, appointment };
}

t.test('a booking whose request died after its claim', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  // One clinic (a clinic is costly to make); each behaviour has its own specialist and clients.
  const c = await clinic(runtime);

  t.test('is finished by the worker: the appointment exists, as claimed', async (t) => {
    const { appointmentId, appointment } = await diedAfterClaim(runtime, c);
    t.match(appointment, { id: appointmentId, status: 'pending', start: '2026-06-10T10:00:00+03:00', service: 'Massage' }, 'the appointment exists, as claimed');
  });

  t.test('is finished by the worker: the appointment holds its time', async (t) => {
    const { doctor } = await diedAfterClaim(runtime, c);
    t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: (await client(runtime, phone(), c)).record, start: '2026-06-10T10:30:00+03:00' })).status, 409, 'and holds its time');
  });

  t.test('across midnight, refused by its second day, is undone, never adopted', async (t) => {
    const owl = await specialist(runtime, c, 'Dr Owl', { time_zone: 'Europe/Moscow', weekly: [{ weekday: 5, start: '22:00', end: '02:00' }], slot_step_minutes: 30, min_notice_minutes: 0 });
    const alice = await client(runtime, phone(), c);
    const bob = await client(runtime, phone(), c);
    t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: owl, client_id: bob.record, start: '2026-06-13T00:00:00+03:00', duration: 30 })).status, 201);
    const appointmentId = randomUUID();
    await crashedClaim(runtime, {
      claimId: randomUUID(), appointmentId, organizationId: c.org, basis: -1, day: '2026-06-12', days: ['2026-06-12', '2026-06-13'],
      specialistId: owl, placeId: null, clientId: alice.record!, start: '2026-06-12T20:30:00.000Z', end: '2026-06-12T21:30:00.000Z',
      timeZone: 'Europe/Moscow', bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
      terms: { service: '', cost: rub(1), bookedBy: { kind: 'user', id: c.manager.id } },
    }, ['2026-06-12']);
    t.notOk((await call(runtime.app, 'GET', `/api/v1/specialists/${owl}/slots?date=2026-06-12&duration=30`)).body.some((s: { start: string }) => s.start === '2026-06-12T23:30:00+03:00'), 'held while unsettled');

    const { db } = runtime.connection;
    const events = await until(async () => {
      const rows = await db.selectFrom('events').select(['stream_id', 'type']).where((eb) => eb.or([eb('stream_id', '=', `appointment-${appointmentId}`), eb('stream_id', '=', scheduleStream(c.org, '2026-06-12'))])).orderBy('global_position').execute();
      return rows.some((r) => r.type === 'SlotReleased') ? rows.map((r) => r.type) : undefined;
    });
    t.same(events, ['SlotClaimed', 'AppointmentClaimRejected', 'SlotReleased'], 'the rejection is recorded where adoption would be, then the first day is let go');
    t.equal((await call(runtime.app, 'GET', `/api/v1/appointments/${appointmentId}`, { token: c.manager.token })).status, 404, 'no appointment');
    t.ok((await call(runtime.app, 'GET', `/api/v1/specialists/${owl}/slots?date=2026-06-12&duration=30`)).body.some((s: { start: string }) => s.start === '2026-06-12T23:30:00+03:00'), 'the time is free again');
  });
});

t.test('embedded mode (PGlite, jobs in process)', async (t) => {
  const runtime = await startRuntime(t, { database: 'pglite', now: () => clock });
  const c = await clinic(runtime);
  async function world() {
    const doctor = await specialist(runtime, c, `Dr Ivanova ${++doctors}`, hours);
    const alice = await client(runtime, phone(), c);
    return { c, doctor, alice };
  }
  async function booked(w: Awaited<ReturnType<typeof world>>, start: string) {
    const reply = await book(runtime, w.c.org, w.c.manager.token, { specialist_id: w.doctor, client_id: w.alice.record, start });
    if (reply.status !== 201) throw new Error(`booking: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.id as string;
  }

  t.test('books', async (t) => {
    const { c, doctor, alice } = await world();
    t.equal((await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: '2026-06-10T10:00:00+03:00' })).status, 201);
  });

  t.test('moves to another day', async (t) => {
    const w = await world();
    const id = await booked(w, '2026-06-10T10:00:00+03:00');
    const moved = await call(runtime.app, 'PATCH', `/api/v1/appointments/${id}`, { token: w.c.manager.token, body: { start: '2026-06-11T10:00:00+03:00' } });
    t.equal(moved.body.start, '2026-06-11T10:00:00+03:00');
  });

  t.test('a client cancels, and every slot of the day is free again', async (t) => {
    const w = await world();
    const id = await booked(w, '2026-06-11T10:00:00+03:00');
    t.equal((await call(runtime.app, 'POST', `/api/v1/appointments/${id}/cancel`, { token: w.alice.token })).body.status, 'cancelled');
    t.equal((await call(runtime.app, 'GET', `/api/v1/specialists/${w.doctor}/slots?date=2026-06-11&duration=60`)).body.length, 33, 'every slot free again');
  });
});
