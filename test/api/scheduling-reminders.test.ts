import t from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, specialist } from '../helpers/scheduling.js';
import { until } from '../helpers/waiting.js';
import { uniquePhone } from '../helpers/api-spec.js';

// Reminders: an SMS to the client REMINDER_LEAD_HOURS (24) before the start,
// from a delayed job; a cancellation withdraws it, a reschedule moves it. The
// clock is fixed so that "24 hours before" is a second or two from now (the
// job's delay is measured from that fixed now, so every behaviour sees the
// same delays whenever it runs).

const LEAD = 24 * 3_600_000;
const clock = new Date(Date.UTC(2026, 11, 1, 6, 0, 0));
const base = clock.getTime() + LEAD;
const at = (ms: number) => new Date(base + ms).toISOString();
const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 };

function reminders(runtime: TestRuntime, phone: string): string[] {
  return runtime.logs
    .map((line) => JSON.parse(line) as { msg?: string; to?: string; text?: string })
    .filter((entry) => entry.msg?.startsWith('sms (console provider') && entry.to === phone && entry.text?.startsWith('Reminder'))
    .map((entry) => entry.text!);
}

/** Every job has run: nothing waits, runs or is delayed any more (so what was not sent never will be). */
async function drained(runtime: TestRuntime): Promise<void> {
  await until(async () => {
    const counts = await runtime.jobs.counts();
    return counts.waiting + counts.active + counts.delayed === 0 ? true : undefined;
  }, 15_000, 'the job queue to drain');
}

/** A phone nobody in this file has used (behaviours share a runtime). */
const phone = uniquePhone;

for (const redis of [true, false]) {
  t.test(`reminders (${redis ? 'BullMQ' : 'in process'})`, async (t) => {
    const runtime = await startRuntime(t, { redis, now: () => clock });

    // One clinic for the behaviours (a clinic is costly to make); each has its own specialist and client.
    const c = await clinic(runtime, 'Reminders');
    async function world(doctor: string) {
      const id = await specialist(runtime, c, doctor, hours);
      const person = await client(runtime, phone(), c);
      return { c, person, book: (start: string) => book(runtime, c.org, c.manager.token, { specialist_id: id, client_id: person.record, start, service: 'Massage' }) };
    }
    async function booked(doctor: string, start: string) {
      const w = await world(doctor);
      return { ...w, reply: await w.book(start) };
    }

    t.test('one is sent once, naming what, with whom and when in local time', async (t) => {
      const { person, reply } = await booked('Dr One', at(1500));
      t.equal(reply.status, 201);
      await until(() => (reminders(runtime, person.phone).length > 0 ? true : undefined), 15_000, 'the reminder');
      await drained(runtime);
      const sent = reminders(runtime, person.phone);
      t.equal(sent.length, 1, 'sent once');
      t.match(sent[0], /^Reminder: Massage with Dr One on 2026-12-02 at 09:00\.$/, 'what, with whom, when in local time');
      t.equal(reminders(runtime, person.phone).length, 1, 'still once');
      t.equal((await runtime.jobs.counts()).failed, 0, 'no job failed');
    });

    t.test('none is sent after a cancel, not even from a stale job', async (t) => {
      const { c, person, reply } = await booked('Dr Two', at(2500));
      t.equal(reply.status, 201);
      t.equal((await call(runtime.app, 'POST', `/api/v1/appointments/${reply.body.id}/cancel`, { token: c.manager.token, body: { reason: 'changed plans' } })).status, 200);
      // A job that escaped its withdrawal re-reads the appointment and stays silent.
      await runtime.jobs.enqueue('appointment-reminder', { appointmentId: reply.body.id, start: at(2500) }, { jobId: `stale-${reply.body.id}`, delayMs: 10 });
      await drained(runtime);
      t.same(reminders(runtime, person.phone), [], 'not after a cancel, not even from a stale job');
      t.equal((await runtime.jobs.counts()).failed, 0, 'no job failed');
    });

    t.test('a reschedule moves it to the new time, where it is sent once', async (t) => {
      const { c, person, book: bookAt } = await world('Dr Three');
      // Someone else's reminder, due just after the old time: once it is sent, one at the old time would have been too.
      const sentinel = await world('Dr Sentinel');
      const reply = await bookAt(at(2000));
      t.equal(reply.status, 201);
      t.equal((await sentinel.book(at(2500))).status, 201);
      t.equal((await call(runtime.app, 'PATCH', `/api/v1/appointments/${reply.body.id}`, { token: c.manager.token, body: { start: at(6500) } })).status, 200);
      await until(() => (reminders(runtime, sentinel.person.phone).length > 0 ? true : undefined), 15_000, 'the reminder due after the old time');
      t.same(reminders(runtime, person.phone), [], 'not at the old time after a reschedule');
      await until(() => (reminders(runtime, person.phone).length > 0 ? true : undefined), 15_000, 'the moved reminder');
      await drained(runtime);
      t.same(reminders(runtime, person.phone), ['Reminder: Massage with Dr Three on 2026-12-02 at 09:00.'], 'the moved reminder comes at the new time, once');
      t.equal((await runtime.jobs.counts()).failed, 0, 'no job failed');
    });
  });
}
