import { randomUUID } from 'node:crypto';
import t from 'tap';
import { serviceDecider } from '../../src/commands/scheduling/service.js';
import { addDays } from '../../src/commands/scheduling/zoned-time.js';
import { serviceStream } from '../../src/events/scheduling/service.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, bookSelf, client, clinic, everyDay, recordOf, specialist, type Clinic } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { until } from '../helpers/waiting.js';

// The waitlist over HTTP: a freed time (a cancel) is offered to the oldest
// waiting entry it suits, as a pending appointment that holds it, told once
// by SMS; accepted it is confirmed, unaccepted it expires and goes to the
// next entry. The clock is driven (`skew`) to reach an offer's expiry, whose
// job is then run as its timer would run it.

let skew = 0;
const MINUTE = 60_000;
const HOLD_MINUTES = 30;
const hours = { time_zone: 'UTC', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 };
const day = addDays(new Date().toISOString().slice(0, 10), 3);
const at = (time: string) => `${day}T${time}:00.000Z`;
const phone = uniquePhone;

function offers(runtime: TestRuntime, to: string): string[] {
  return runtime.logs
    .map((line) => JSON.parse(line) as { msg?: string; to?: string; text?: string })
    .filter((entry) => entry.msg?.startsWith('sms (console provider') && entry.to === to && entry.text?.startsWith('Waitlist offer'))
    .map((entry) => entry.text!);
}

const offerTo = (runtime: TestRuntime, to: string) => until(() => (offers(runtime, to).length > 0 ? offers(runtime, to) : undefined), 20_000, `a waitlist offer to ${to}`);

/** Nothing waits or runs in the queue (delayed expiries aside): every release so far has been looked at. */
async function settled(runtime: TestRuntime): Promise<void> {
  await until(async () => {
    const counts = await runtime.jobs.counts();
    return counts.waiting + counts.active === 0 ? true : undefined;
  }, 20_000, 'the job queue to settle');
}

t.test('waitlist', async (t) => {
  const runtime = await startRuntime(t, { now: () => new Date(Date.now() + skew), env: { ACCESS_TOKEN_TTL_SECONDS: '86400', WAITLIST_HOLD_MINUTES: String(HOLD_MINUTES) } });
  const { app } = runtime;
  const c = await clinic(runtime, 'Waitlist');

  /** A service of the catalogue (its routes are another part's): created on its stream. */
  async function service(org: string, specialistIds: string[], durationMinutes = 60): Promise<string> {
    const serviceId = randomUUID();
    const details = { name: 'Massage', durationMinutes, price: { amount: 300000, currency: 'RUB' }, specialistIds, capacity: 1, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 };
    const metadata = { actor: { kind: 'system' as const }, correlationId: randomUUID(), causationId: randomUUID() };
    await runtime.deps.handle(serviceDecider, serviceStream(serviceId), { type: 'CreateService', data: { serviceId, organizationId: org, details, now: new Date().toISOString() } }, metadata);
    return serviceId;
  }
  const join = (org: string, token: string, body: Record<string, unknown>) => call(app, 'POST', `/api/v1/organizations/${org}/waitlist`, { token, body });
  const entry = (id: string, token: string) => call(app, 'GET', `/api/v1/waitlist/${id}`, { token });
  /** Someone else's appointment, booked by staff and then cancelled: the time it frees. */
  async function freed(clinicOf: Clinic, specialistId: string, start: string): Promise<void> {
    const other = await recordOf(runtime, clinicOf, phone());
    const booked = await book(runtime, clinicOf.org, clinicOf.manager.token, { specialist_id: specialistId, client_id: other, start });
    if (booked.status !== 201) throw new Error(`booking ${start}: ${booked.status} ${JSON.stringify(booked.body)}`);
    const cancelled = await call(app, 'POST', `/api/v1/appointments/${booked.body.id}/cancel`, { token: clinicOf.manager.token, body: { reason: 'changed plans' } });
    if (cancelled.status !== 200) throw new Error(`cancelling: ${cancelled.status}`);
  }
  const offeredEntry = (id: string, token: string) =>
    until(async () => {
      const got = await entry(id, token);
      return got.body.status === 'offered' && got.body.appointment_id ? got.body : undefined;
    }, 20_000, `entry ${id} offered`);

  t.test('a freed time is offered once by SMS, held by a pending appointment, and accepted', async (t) => {
    const doctor = await specialist(runtime, c, 'Dr Offer', hours);
    const massage = await service(c.org, [doctor]);
    const person = await client(runtime, phone(), c);
    const joined = await join(c.org, person.token, { service_id: massage, from_date: day, to_date: day, from_time: '09:00', to_time: '12:00' });
    t.equal(joined.status, 201);
    t.match(joined.body, { status: 'waiting', service_id: massage, specialist_id: null, client_kind: 'account', client_id: person.id, from_time: '09:00', to_time: '12:00', appointment_id: null });

    await freed(c, doctor, at('10:00'));
    const sent = await offerTo(runtime, person.phone);
    t.match(sent[0], new RegExp(`^Waitlist offer: Massage with Dr Offer on ${day} at 10:00 is held for you until `), 'what, with whom and when');
    const offered = await offeredEntry(joined.body.id, person.token);
    t.ok(offered.expires_at, 'the offer expires');
    const appointment = await call(app, 'GET', `/api/v1/appointments/${offered.appointment_id}`, { token: person.token });
    t.match(appointment.body, { status: 'pending', specialist_id: doctor, start: at('10:00').replace('.000Z', '+00:00') }, 'a pending appointment of the client');

    const third = await client(runtime, phone());
    t.equal((await bookSelf(runtime, c.org, third.token, { specialist_id: doctor, start: at('10:00') })).status, 409, 'the pending offer holds the time');

    const accepted = await call(app, 'POST', `/api/v1/waitlist/${joined.body.id}/accept`, { token: person.token });
    t.equal(accepted.status, 200);
    t.equal(accepted.body.status, 'booked');
    t.equal((await call(app, 'GET', `/api/v1/appointments/${offered.appointment_id}`, { token: person.token })).body.status, 'confirmed', 'the appointment is confirmed');
    await settled(runtime);
    t.equal(offers(runtime, person.phone).length, 1, 'exactly one SMS');
    t.equal((await call(app, 'POST', `/api/v1/waitlist/${joined.body.id}/accept`, { token: person.token })).status, 200, 'accepting again changes nothing');
  });

  t.test('two wait, one time frees: the first is offered it, and after the offer expires the second', async (t) => {
    const doctor = await specialist(runtime, c, 'Dr Queue', hours);
    const massage = await service(c.org, [doctor]);
    const first = await client(runtime, phone(), c);
    const second = await client(runtime, phone());
    // Staff put a record of theirs on the list first; the second joins for themself.
    const one = await join(c.org, c.manager.token, { client_id: first.record, service_id: massage, specialist_id: doctor, from_date: day, to_date: addDays(day, 1) });
    const two = await join(c.org, second.token, { service_id: massage, from_date: day, to_date: day });
    t.equal(one.status, 201);
    t.equal(two.status, 201);
    t.match(one.body, { client_kind: 'record', client_id: first.record, from_time: '00:00', to_time: '24:00' });
    const listed = await call(app, 'GET', `/api/v1/organizations/${c.org}/waitlist`, { token: c.manager.token });
    t.same(listed.body.filter((e: { service_id: string }) => e.service_id === massage).map((e: { id: string }) => e.id), [one.body.id, two.body.id], 'oldest first');

    await freed(c, doctor, at('14:00'));
    await offerTo(runtime, first.phone);
    const offered = await offeredEntry(one.body.id, c.manager.token);
    await settled(runtime);
    t.same(offers(runtime, second.phone), [], 'one offer: to the first');
    t.equal((await entry(two.body.id, second.token)).body.status, 'waiting');

    t.ok((await runtime.jobs.counts()).delayed >= 1, 'the offer’s expiry waits in the queue for the end of the hold');
    skew += (HOLD_MINUTES + 1) * MINUTE;
    t.equal((await call(app, 'POST', `/api/v1/waitlist/${one.body.id}/accept`, { token: first.token })).status, 409, 'too late to accept');
    // The offer's delayed job, as its timer runs it once the hold is over.
    await runtime.jobs.enqueue('waitlist-expiry', { entryId: one.body.id, appointmentId: offered.appointment_id }, { jobId: `expiry-now-${offered.appointment_id}` });
    const next = await offerTo(runtime, second.phone);
    t.equal(next.length, 1, 'the second is offered the time');
    t.match(next[0], `on ${day} at 14:00`);
    const secondOffer = await offeredEntry(two.body.id, second.token);
    t.equal((await entry(one.body.id, first.token)).body.status, 'expired');
    const lapsed = await call(app, 'GET', `/api/v1/appointments/${offered.appointment_id}`, { token: c.manager.token });
    t.match(lapsed.body, { status: 'cancelled', cancel_reason: 'waitlist offer expired' });
    t.not(secondOffer.appointment_id, offered.appointment_id);
    t.equal(offers(runtime, first.phone).length, 1, 'the first was told once');
  });

  t.test('a time that does not suit (another service’s specialist, outside the hours) is offered to nobody', async (t) => {
    const doctor = await specialist(runtime, c, 'Dr Match', hours);
    const stranger = await specialist(runtime, c, 'Dr Other', hours);
    const massage = await service(c.org, [doctor]);
    await service(c.org, [stranger]);
    const person = await client(runtime, phone());
    const joined = await join(c.org, person.token, { service_id: massage, from_date: day, to_date: day, from_time: '09:00', to_time: '12:00' });
    t.equal(joined.status, 201);
    await freed(c, stranger, at('10:00'));
    await freed(c, doctor, at('15:00'));
    await freed(c, doctor, at('11:30'));
    await settled(runtime);
    t.equal((await entry(joined.body.id, person.token)).body.status, 'waiting', 'still waiting');
    t.same(offers(runtime, person.phone), [], 'no SMS');
    // The suiting time is offered: the ones before were looked at and passed over.
    await freed(c, doctor, at('09:00'));
    await offerTo(runtime, person.phone);
    const offered = await offeredEntry(joined.body.id, person.token);
    const appointment = await call(app, 'GET', `/api/v1/appointments/${offered.appointment_id}`, { token: person.token });
    t.equal(appointment.body.start, at('09:00').replace('.000Z', '+00:00'));
  });

  t.test('a reschedule frees the time it leaves, and that time is offered', async (t) => {
    const doctor = await specialist(runtime, c, 'Dr Move', hours);
    const massage = await service(c.org, [doctor]);
    const person = await client(runtime, phone());
    const joined = await join(c.org, person.token, { service_id: massage, specialist_id: doctor, from_date: day, to_date: day, from_time: '16:00', to_time: '18:00' });
    t.equal(joined.status, 201);
    const other = await recordOf(runtime, c, phone());
    const booked = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: other, start: at('16:00') });
    t.equal(booked.status, 201);
    t.equal((await call(app, 'PATCH', `/api/v1/appointments/${booked.body.id}`, { token: c.manager.token, body: { start: at('19:00') } })).status, 200);
    await offerTo(runtime, person.phone);
    const offered = await offeredEntry(joined.body.id, person.token);
    const appointment = await call(app, 'GET', `/api/v1/appointments/${offered.appointment_id}`, { token: person.token });
    t.match(appointment.body, { status: 'pending', start: at('16:00').replace('.000Z', '+00:00') }, 'the time left behind');
  });

  t.test('withdrawing: by the client, by staff; a withdrawn entry is offered nothing', async (t) => {
    const doctor = await specialist(runtime, c, 'Dr Leave', hours);
    const massage = await service(c.org, [doctor]);
    const person = await client(runtime, phone(), c);
    const mine = await join(c.org, person.token, { service_id: massage, from_date: day, to_date: day });
    const theirs = await join(c.org, c.owner.token, { client_id: person.record, service_id: massage, from_date: day, to_date: day });
    t.equal((await call(app, 'DELETE', `/api/v1/waitlist/${mine.body.id}`, { token: person.token })).status, 204);
    t.equal((await call(app, 'DELETE', `/api/v1/waitlist/${theirs.body.id}`, { token: c.manager.token })).status, 204);
    t.equal((await entry(mine.body.id, person.token)).body.status, 'withdrawn');
    t.equal((await entry(theirs.body.id, person.token)).body.status, 'withdrawn', 'the person linked to the record sees it');
    await freed(c, doctor, at('10:00'));
    await settled(runtime);
    t.same(offers(runtime, person.phone), [], 'no offer');
    t.equal((await call(app, 'POST', `/api/v1/waitlist/${mine.body.id}/accept`, { token: person.token })).status, 409, 'nothing to accept');
  });

  t.test('rights: another organization’s staff and another client find nothing; nobody anonymous', async (t) => {
    const doctor = await specialist(runtime, c, 'Dr Rights', hours);
    const massage = await service(c.org, [doctor]);
    const person = await client(runtime, phone());
    const stranger = await client(runtime, phone());
    const elsewhere = await clinic(runtime, 'Elsewhere');
    const joined = await join(c.org, person.token, { service_id: massage, from_date: day, to_date: day });
    const id = joined.body.id as string;
    for (const [method, url] of [['GET', `/api/v1/waitlist/${id}`], ['POST', `/api/v1/waitlist/${id}/accept`], ['DELETE', `/api/v1/waitlist/${id}`]] as const) {
      t.equal((await call(app, method, url, { token: elsewhere.owner.token })).status, 404, `${method} ${url}: another organization's staff`);
      t.equal((await call(app, method, url, { token: stranger.token })).status, 404, `${method} ${url}: another client`);
      t.equal((await call(app, method, url)).status, 401, `${method} ${url}: anonymous`);
    }
    t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/waitlist`, { token: elsewhere.owner.token })).status, 404, 'another organization’s list');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/waitlist`)).status, 401);
    t.equal((await join(c.org, elsewhere.owner.token, { client_id: randomUUID(), service_id: massage, from_date: day, to_date: day })).status, 404, 'staff of another organization cannot add');
    t.equal((await join(c.org, person.token, { client_id: stranger.id, service_id: massage, from_date: day, to_date: day })).status, 403, 'a client names only themself');
    t.equal((await entry(id, person.token)).body.status, 'waiting', 'untouched');
  });

  t.test('bad input is refused with 400 and nothing is appended', async (t) => {
    const doctor = await specialist(runtime, c, 'Dr Input', hours);
    const other = await specialist(runtime, c, 'Dr Elsewhere', hours);
    const massage = await service(c.org, [doctor]);
    const person = await client(runtime, phone());
    const before = (await call(app, 'GET', `/api/v1/organizations/${c.org}/waitlist`, { token: c.owner.token })).body.length;
    const base = { service_id: massage, from_date: day, to_date: day };
    const cases: [string, Record<string, unknown>, string][] = [
      ['more than 60 days', { ...base, to_date: addDays(day, 61) }, 'to_date'],
      ['ends before it starts', { ...base, to_date: addDays(day, -1) }, 'to_date'],
      ['backwards hours', { ...base, from_time: '12:00', to_time: '09:00' }, 'to_time'],
      ['not a time', { ...base, from_time: '9am' }, 'from_time'],
      ['not a date', { ...base, from_date: '2026-02-30x' }, 'from_date'],
      ['unknown service', { ...base, service_id: randomUUID() }, 'service_id'],
      ['a specialist who does not offer it', { ...base, specialist_id: other }, 'specialist_id'],
      ['an unknown field', { ...base, note: 'hi' }, 'note'],
    ];
    for (const [what, body, field] of cases) {
      const refused = await join(c.org, person.token, body);
      t.equal(refused.status, 400, what);
      t.ok(refused.body.errors?.[field], `${what}: names ${field}`);
    }
    const staff = await join(c.org, c.owner.token, base);
    t.equal(staff.status, 400, 'staff name the record');
    t.ok(staff.body.errors?.client_id);
    t.equal((await join(c.org, c.owner.token, { ...base, client_id: randomUUID() })).status, 400, 'a record not of this organization');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/waitlist`, { token: c.owner.token })).body.length, before, 'nothing appended');
  });
});
