import t from 'tap';
import { bookAppointment } from '../../src/workflows/scheduling/booking.js';
import { eventCount } from '../helpers/clients.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { book, clinic, everyDay, recordOf, rub, specialist, type Clinic } from '../helpers/scheduling.js';
import { addMember, staffMember, type StaffMember } from '../helpers/staff.js';

// The services catalogue over HTTP (issue 15): who adds, changes and removes
// a service, what the public reads, what a bad request is refused for (and
// that a refusal appends nothing), and a service's free slots over every
// specialist who offers it, with the seats left of a group session. One
// runtime; each behaviour its own clinic, specialists and clients.

const CLOCK = new Date('2027-03-01T06:00:00Z');
const DAY = '2027-03-03';
const HOURS = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '12:00' }]), slot_step_minutes: 60, min_notice_minutes: 0 };
const at = (time: string) => `${DAY}T${time}:00+03:00`;

interface Slot {
  start: string;
  end: string;
  specialist_id: string;
  place_id: string | null;
  seats_left: number;
}

t.test('the services catalogue', async (t) => {
  const runtime = await startRuntime(t, { now: () => CLOCK });
  const { app } = runtime;
  let clinics = 0;

  /** A clinic of its own (owner, admin, manager) with a specialist who works 09-12 Moscow, hour by hour. */
  async function given() {
    const n = ++clinics;
    const c: Clinic = await clinic(runtime, `Services ${n}`);
    const admin: StaffMember = await staffMember(runtime, uniqueEmail('admin'));
    await addMember(runtime, c.org, c.owner, admin, 'admin');
    const doctor = await specialist(runtime, c, 'Dr Ivanova', HOURS);
    return { c, admin, doctor };
  }
  const add = (org: string, token: string | undefined, body: Record<string, unknown>) => call(app, 'POST', `/api/v1/organizations/${org}/services`, { token, body });
  const massage = (specialists: string[], more: Record<string, unknown> = {}) => ({ name: 'Massage', duration_minutes: 60, price: rub(300000), specialist_ids: specialists, ...more });
  async function added(org: string, token: string, body: Record<string, unknown>): Promise<string> {
    const reply = await add(org, token, body);
    if (reply.status !== 201) throw new Error(`adding a service: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.id as string;
  }
  const slotsOf = async (org: string, service: string, query = `date=${DAY}`) => {
    const reply = await call(app, 'GET', `/api/v1/organizations/${org}/services/${service}/slots?${query}`);
    if (reply.status !== 200) throw new Error(`slots: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as Slot[];
  };

  t.test('an owner adds a service: 201 with its defaults, read back by anyone', async (t) => {
    const { c, doctor } = await given();
    const reply = await add(c.org, c.owner.token, massage([doctor]));
    t.equal(reply.status, 201);
    t.match(reply.body, {
      organization_id: c.org, name: 'Massage', duration_minutes: 60, price: { amount: 300000, currency: 'RUB' }, specialist_ids: [doctor],
      capacity: 1, buffer_before_minutes: 0, buffer_after_minutes: 0, created_at: CLOCK.toISOString(), updated_at: CLOCK.toISOString(),
    });
    t.same(Object.keys(reply.body).sort(), ['buffer_after_minutes', 'buffer_before_minutes', 'capacity', 'created_at', 'duration_minutes', 'id', 'name', 'organization_id', 'price', 'specialist_ids', 'updated_at']);
    const read = await call(app, 'GET', `/api/v1/services/${reply.body.id}`);
    t.equal(read.status, 200, 'anyone reads it, without a token');
    t.same(read.body, reply.body, 'as it was answered');
  });

  t.test('an admin adds a group session with its capacity and buffers', async (t) => {
    const { c, admin, doctor } = await given();
    const reply = await add(c.org, admin.token, { name: 'Yoga', duration_minutes: 90, price: rub(50000), specialist_ids: [doctor, doctor], capacity: 12, buffer_before_minutes: 15, buffer_after_minutes: 30 });
    t.equal(reply.status, 201);
    t.match(reply.body, { name: 'Yoga', capacity: 12, buffer_before_minutes: 15, buffer_after_minutes: 30, specialist_ids: [doctor] }, 'a repeated specialist counts once');
  });

  t.test('the list is public and shows only the organization’s active services, by name', async (t) => {
    const { c, doctor } = await given();
    const other = await given();
    const yoga = await added(c.org, c.owner.token, massage([doctor], { name: 'Yoga' }));
    const acupuncture = await added(c.org, c.owner.token, massage([doctor], { name: 'Acupuncture' }));
    const gone = await added(c.org, c.owner.token, massage([doctor], { name: 'Cupping' }));
    await added(other.c.org, other.c.owner.token, massage([other.doctor], { name: 'Elsewhere' }));
    t.equal((await call(app, 'DELETE', `/api/v1/services/${gone}`, { token: c.owner.token })).status, 204);
    const list = await call(app, 'GET', `/api/v1/organizations/${c.org}/services`);
    t.equal(list.status, 200, 'without a token');
    t.same(list.body.map((s: { id: string }) => s.id), [acupuncture, yoga], 'active ones of this organization, by name');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${runtime.deps.newId()}/services`)).status, 404, 'an unknown organization: 404');
  });

  t.test('anonymous callers are refused every write (401), and nothing is appended', async (t) => {
    const { c, doctor } = await given();
    const id = await added(c.org, c.owner.token, massage([doctor]));
    const before = await eventCount(runtime);
    t.equal((await add(c.org, undefined, massage([doctor]))).status, 401, 'POST');
    t.equal((await call(app, 'PATCH', `/api/v1/services/${id}`, { body: { name: 'Free massage' } })).status, 401, 'PATCH');
    t.equal((await call(app, 'DELETE', `/api/v1/services/${id}`)).status, 401, 'DELETE');
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('a manager is refused every write (403), and nothing is appended', async (t) => {
    const { c, doctor } = await given();
    const id = await added(c.org, c.owner.token, massage([doctor]));
    const before = await eventCount(runtime);
    t.equal((await add(c.org, c.manager.token, massage([doctor]))).status, 403, 'POST');
    t.equal((await call(app, 'PATCH', `/api/v1/services/${id}`, { token: c.manager.token, body: { name: 'Free massage' } })).status, 403, 'PATCH');
    t.equal((await call(app, 'DELETE', `/api/v1/services/${id}`, { token: c.manager.token })).status, 403, 'DELETE');
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('another organization’s admin finds nothing to write (404), and nothing is appended', async (t) => {
    const { c, doctor } = await given();
    const other = await given();
    const id = await added(c.org, c.owner.token, massage([doctor]));
    const before = await eventCount(runtime);
    t.equal((await add(c.org, other.admin.token, massage([other.doctor]))).status, 404, 'POST under the other organization');
    t.equal((await call(app, 'PATCH', `/api/v1/services/${id}`, { token: other.admin.token, body: { name: 'Taken over' } })).status, 404, 'PATCH');
    t.equal((await call(app, 'DELETE', `/api/v1/services/${id}`, { token: other.admin.token })).status, 404, 'DELETE');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.equal((await call(app, 'GET', `/api/v1/services/${id}`)).body.name, 'Massage', 'unchanged');
  });

  t.test('bad input is refused (400) naming each field, and nothing is appended', async (t) => {
    const { c, doctor } = await given();
    const id = await added(c.org, c.owner.token, massage([doctor]));
    const before = await eventCount(runtime);
    const refused = async (body: Record<string, unknown>, fields: string[], patch = false) => {
      const reply = patch ? await call(app, 'PATCH', `/api/v1/services/${id}`, { token: c.owner.token, body }) : await add(c.org, c.owner.token, body);
      t.equal(reply.status, 400, JSON.stringify(body));
      t.same(Object.keys(reply.body.errors ?? {}).sort(), fields, `names ${fields.join(', ')}`);
    };
    await refused({ name: 'Massage', price: rub(1) }, ['duration_minutes', 'specialist_ids']);
    await refused(massage([doctor], { duration_minutes: 4 }), ['duration_minutes']);
    await refused(massage([doctor], { duration_minutes: 1441 }), ['duration_minutes']);
    await refused(massage([doctor], { name: '' }), ['name']);
    await refused(massage([doctor], { price: { amount: -1, currency: 'RUB' } }), ['price.amount']);
    await refused(massage([doctor], { price: { amount: 10.5, currency: 'RUB' } }), ['price.amount']);
    await refused(massage([doctor], { price: { amount: 100, currency: 'rubles' } }), ['price.currency']);
    await refused(massage([doctor], { capacity: 0 }), ['capacity']);
    await refused(massage([doctor], { capacity: 501 }), ['capacity']);
    await refused(massage([doctor], { buffer_before_minutes: -1 }), ['buffer_before_minutes']);
    await refused(massage([doctor], { buffer_after_minutes: 241 }), ['buffer_after_minutes']);
    await refused(massage(['not-a-uuid']), ['specialist_ids.0']);
    await refused(massage([doctor], { discount: 10 }), ['discount']);
    await refused({ duration_minutes: 0 }, ['duration_minutes'], true);
    await refused({ capacity: 'many' }, ['capacity'], true);
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('a specialist of another organization, or a removed one, is refused (400 naming specialist_ids), and nothing is appended', async (t) => {
    const { c, doctor } = await given();
    const other = await given();
    const leaving = await specialist(runtime, c, 'Dr Gone', HOURS);
    t.equal((await call(app, 'DELETE', `/api/v1/specialists/${leaving}`, { token: c.owner.token })).status, 204);
    const id = await added(c.org, c.owner.token, massage([doctor]));
    const before = await eventCount(runtime);
    for (const [what, ids] of [['another organization’s', [doctor, other.doctor]], ['a removed', [leaving]], ['an unknown', [runtime.deps.newId()]]] as const) {
      const created = await add(c.org, c.owner.token, massage([...ids]));
      t.equal(created.status, 400, `${what} specialist on POST`);
      t.same(Object.keys(created.body.errors), ['specialist_ids'], 'names specialist_ids');
      const changed = await call(app, 'PATCH', `/api/v1/services/${id}`, { token: c.owner.token, body: { specialist_ids: [...ids] } });
      t.equal(changed.status, 400, `${what} specialist on PATCH`);
      t.same(Object.keys(changed.body.errors), ['specialist_ids'], 'names specialist_ids');
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('an admin changes some fields; the others stay, and a change to nothing new appends nothing', async (t) => {
    const { c, admin, doctor } = await given();
    const colleague = await specialist(runtime, c, 'Dr Petrov', HOURS);
    const id = await added(c.org, c.owner.token, massage([doctor], { buffer_after_minutes: 10 }));
    const changed = await call(app, 'PATCH', `/api/v1/services/${id}`, { token: admin.token, body: { price: rub(350000), capacity: 4, specialist_ids: [doctor, colleague] } });
    t.equal(changed.status, 200);
    t.match(changed.body, { name: 'Massage', duration_minutes: 60, price: { amount: 350000, currency: 'RUB' }, capacity: 4, specialist_ids: [doctor, colleague], buffer_after_minutes: 10 });
    t.same((await call(app, 'GET', `/api/v1/services/${id}`)).body, changed.body, 'read back as answered');
    const before = await eventCount(runtime);
    const again = await call(app, 'PATCH', `/api/v1/services/${id}`, { token: c.owner.token, body: { price: rub(350000), name: 'Massage' } });
    t.equal(again.status, 200);
    t.same(again.body, changed.body, 'the same service');
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('an owner removes a service (204): it is gone for reads and writes, and from its slots', async (t) => {
    const { c, doctor } = await given();
    const id = await added(c.org, c.owner.token, massage([doctor]));
    t.equal((await call(app, 'DELETE', `/api/v1/services/${id}`, { token: c.owner.token })).status, 204);
    t.equal((await call(app, 'GET', `/api/v1/services/${id}`)).status, 404, 'GET');
    t.equal((await call(app, 'PATCH', `/api/v1/services/${id}`, { token: c.owner.token, body: { name: 'Back' } })).status, 404, 'PATCH');
    t.equal((await call(app, 'DELETE', `/api/v1/services/${id}`, { token: c.owner.token })).status, 404, 'DELETE again');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/services/${id}/slots?date=${DAY}`)).status, 404, 'its slots');
    t.equal((await call(app, 'GET', `/api/v1/services/${runtime.deps.newId()}`)).status, 404, 'an unknown service');
  });

  t.test('a private service’s slots: every specialist who offers it, its length and buffers, one seat each', async (t) => {
    const { c, doctor } = await given();
    const colleague = await specialist(runtime, c, 'Dr Petrov', HOURS);
    await specialist(runtime, c, 'Dr Not Offering', HOURS);
    const id = await added(c.org, c.owner.token, massage([doctor, colleague], { buffer_after_minutes: 30 }));
    const client = await recordOf(runtime, c, uniquePhone());
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: doctor, client_id: client, start: at('10:00') })).status, 201);
    const slots = await slotsOf(c.org, id);
    const byStart = (who: string) => slots.filter((s) => s.specialist_id === who).map((s) => s.start);
    // 09:00 would end at 10:00, but its 30 minutes after meet the booking; 10:00 is booked.
    t.same(byStart(doctor), [at('11:00')], 'the booked specialist: around the booking and the service’s buffer');
    t.same(byStart(colleague), [at('09:00'), at('10:00'), at('11:00')], 'the colleague: the whole morning');
    t.same(slots.map((s) => s.start), [...slots.map((s) => s.start)].sort(), 'by start');
    t.match(slots[0], { start: at('09:00'), end: at('10:00'), specialist_id: colleague, place_id: null, seats_left: 1 });
    t.ok(slots.every((s) => s.seats_left === 1), 'a private slot has one seat');
    t.equal((await call(app, 'GET', `/api/v1/organizations/${c.org}/services/${id}/slots?from=${DAY}&to=2027-04-02`)).status, 200, '31 days at once');
    const tooLong = await call(app, 'GET', `/api/v1/organizations/${c.org}/services/${id}/slots?from=${DAY}&to=2027-04-03`);
    t.equal(tooLong.status, 400, 'not 32');
    t.same(Object.keys(tooLong.body.errors), ['to'], 'naming to');
  });

  t.test('a group session’s slots: seats left in a slot already holding seats, none listed when full', async (t) => {
    const { c, doctor } = await given();
    const other = await given();
    const id = await added(c.org, c.owner.token, { name: 'Yoga', duration_minutes: 60, price: rub(50000), specialist_ids: [doctor], capacity: 3 });
    t.equal((await call(app, 'GET', `/api/v1/organizations/${other.c.org}/services/${id}/slots?date=${DAY}`)).status, 404, 'not under another organization');
    const seat = (start: string) => async () => {
      const recordId = await recordOf(runtime, c, uniquePhone());
      const metadata = { actor: { kind: 'user' as const, id: c.owner.id }, correlationId: 'seats', causationId: 'seats' };
      await bookAppointment(runtime.deps, {
        appointmentId: runtime.deps.newId(), organizationId: c.org, client: { kind: 'record', recordId }, specialistId: doctor, placeId: null,
        start: Date.parse(at(start)), durationMinutes: 60, service: 'Yoga', cost: rub(50000), bookedBy: { kind: 'user', id: c.owner.id },
        seat: { serviceId: id, capacity: 3 }, now: CLOCK,
      }, metadata);
    };
    const seatsAt = async () => Object.fromEntries((await slotsOf(c.org, id)).map((s) => [s.start.slice(11, 16), s.seats_left]));
    t.same(await seatsAt(), { '09:00': 3, '10:00': 3, '11:00': 3 }, 'an empty session: every seat');
    await seat('10:00')();
    await seat('10:00')();
    t.same(await seatsAt(), { '09:00': 3, '10:00': 1, '11:00': 3 }, 'two seats held: one left, and the slot is still offered');
    await seat('10:00')();
    t.same(await seatsAt(), { '09:00': 3, '11:00': 3 }, 'full: not listed');
    const walkIn = await recordOf(runtime, c, uniquePhone());
    t.equal((await book(runtime, c.org, c.owner.token, { specialist_id: doctor, client_id: walkIn, start: at('11:00') })).status, 201, 'a private appointment at 11:00');
    t.same(await seatsAt(), { '09:00': 3 }, 'a private appointment is no session to join');
  });
});
