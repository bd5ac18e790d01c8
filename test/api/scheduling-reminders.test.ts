import t from 'tap';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, specialist } from '../helpers/scheduling.js';

// Reminders: an SMS to the client REMINDER_LEAD_HOURS (24) before the start,
// from a delayed job; a cancellation withdraws it, a reschedule moves it. The
// clock is fixed so that "24 hours before" is a second or two from now.

const LEAD = 24 * 3_600_000;

function reminders(runtime: TestRuntime, phone: string): string[] {
  return runtime.logs
    .map((line) => JSON.parse(line) as { msg?: string; to?: string; text?: string })
    .filter((entry) => entry.msg?.startsWith('sms (console provider') && entry.to === phone && entry.text?.startsWith('Reminder'))
    .map((entry) => entry.text!);
}

for (const redis of [true, false]) {
  t.test(`a reminder is sent once, not after a cancel, and moves with a reschedule (${redis ? 'BullMQ' : 'in process'})`, async (t) => {
    const clock = new Date(Date.UTC(2026, 11, 1, 6, 0, 0));
    const runtime = await startRuntime(t, { redis, now: () => clock });
    const c = await clinic(runtime);
    const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 };
    const [one, two, three] = [await specialist(runtime, c, 'Dr One', hours), await specialist(runtime, c, 'Dr Two', hours), await specialist(runtime, c, 'Dr Three', hours)];
    const [alice, bob, carol] = [await client(runtime, '+79517586201', c), await client(runtime, '+79517586202', c), await client(runtime, '+79517586203', c)];
    const base = clock.getTime() + LEAD;
    const at = (ms: number) => new Date(base + ms).toISOString();

    const kept = await book(runtime, c.org, c.manager.token, { specialist_id: one, client_id: alice.record, start: at(1500), service: 'Massage' });
    const cancelled = await book(runtime, c.org, c.manager.token, { specialist_id: two, client_id: bob.record, start: at(2500) });
    const moved = await book(runtime, c.org, c.manager.token, { specialist_id: three, client_id: carol.record, start: at(2000) });
    t.same([kept.status, cancelled.status, moved.status], [201, 201, 201]);
    t.equal((await call(runtime.app, 'POST', `/api/v1/appointments/${cancelled.body.id}/cancel`, { token: c.manager.token, body: { reason: 'changed plans' } })).status, 200);
    t.equal((await call(runtime.app, 'PATCH', `/api/v1/appointments/${moved.body.id}`, { token: c.manager.token, body: { start: at(6500) } })).status, 200);

    // A job that escaped its withdrawal re-reads the appointment and stays silent.
    await runtime.jobs.enqueue('appointment-reminder', { appointmentId: cancelled.body.id, start: at(2500) }, { jobId: `stale-${cancelled.body.id}`, delayMs: 10 });

    await new Promise((resolve) => setTimeout(resolve, 4500));
    const sent = reminders(runtime, alice.phone);
    t.equal(sent.length, 1, 'sent once');
    t.match(sent[0], /^Reminder: Massage with Dr One on 2026-12-02 at 09:00\.$/, 'what, with whom, when in local time');
    t.same(reminders(runtime, bob.phone), [], 'not after a cancel, not even from a stale job');
    t.same(reminders(runtime, carol.phone), [], 'not at the old time after a reschedule');

    await new Promise((resolve) => setTimeout(resolve, 3500));
    t.same(reminders(runtime, carol.phone), ['Reminder: Massage with Dr Three on 2026-12-02 at 09:00.'], 'the moved reminder comes at the new time, once');
    t.equal(reminders(runtime, alice.phone).length, 1, 'still once');
    t.equal((await runtime.jobs.counts()).failed, 0, 'no job failed');
  });
}
