import t from 'tap';
import { clientStream } from '../../src/events/clients/client.js';
import { ERASED } from '../../src/events/personal.js';
import { SEND_CODE } from '../../src/workflows/identity/code-delivery.js';
import { APPOINTMENT_REMINDER } from '../../src/workflows/scheduling/appointment-reminders.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { person, PASSWORD } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, clinic, everyDay, linkedRecord, specialist } from '../helpers/scheduling.js';
import { until } from '../helpers/waiting.js';

// Jobs about a person that outlive their erasure (a reminder due later, a
// code asked for just before) send nothing: the worker finds the destination
// erased, finishes the job and logs it without personal data. The clock is
// fixed, so an appointment a day and an hour ahead is in the future for the
// whole run; each job is enqueued as the reactor would have, after the erasure.

const clock = new Date(Date.UTC(2026, 11, 1, 6, 0, 0));
const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 };

interface Line {
  msg?: string;
  to?: string;
  text?: string;
  appointmentId?: string;
  eventId?: string;
}
const lines = (runtime: TestRuntime, from: number) => runtime.logs.slice(from).map((line) => JSON.parse(line) as Line);
const smsAfter = (runtime: TestRuntime, from: number) => lines(runtime, from).filter((l) => l.msg?.startsWith('sms (console provider'));
const logged = (runtime: TestRuntime, from: number, msg: string, match: (l: Line) => boolean) =>
  until(() => lines(runtime, from).find((l) => l.msg === msg && match(l)), 15_000, msg);

t.test('jobs about an erased person send nothing', async (t) => {
  const runtime = await startRuntime(t, { now: () => clock });
  const c = await clinic(runtime, 'Erasure Jobs');
  const doctor = await specialist(runtime, c, 'Dr Jobs', hours);
  const erase = async (token: string) => t.equal((await call(runtime.app, 'POST', '/api/v1/clients/me/erasure', { token, body: { current_password: PASSWORD } })).status, 200);

  t.test('an appointment reminder due after the erasure is not sent', async (t) => {
    const p = await person(runtime, uniquePhone());
    const record = await linkedRecord(runtime, c, p.phone, p.token);
    const start = new Date(clock.getTime() + 25 * 3_600_000).toISOString();
    const booked = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: record, start });
    t.equal(booked.status, 201);
    await erase(p.token);
    const from = runtime.logs.length;
    await runtime.jobs.enqueue(APPOINTMENT_REMINDER, { appointmentId: booked.body.id, start }, { jobId: `erased-${booked.body.id}`, delayMs: 10 });
    const line = await logged(runtime, from, 'appointment reminder not sent: the client was erased', (l) => l.appointmentId === booked.body.id);
    t.same(smsAfter(runtime, from), [], 'no SMS at all');
    t.notMatch(JSON.stringify(line), p.phone, 'the log names no phone');
    t.equal((await runtime.jobs.counts()).failed, 0, 'the job finished, not failed');
  });

  t.test('a code asked for before the erasure is not sent after it', async (t) => {
    const p = await person(runtime, uniquePhone());
    // The registration's own request for a verification code, as its job would meet it late.
    const requested = (await runtime.store.readStream(clientStream(p.id))).find((e) => e.type === 'PhoneVerificationRequested')!;
    await erase(p.token);
    const from = runtime.logs.length;
    await runtime.jobs.enqueue(SEND_CODE, { stream: clientStream(p.id), eventId: requested.id }, { jobId: `erased-code-${requested.id}`, delayMs: 10 });
    const line = await logged(runtime, from, 'code not sent: its destination was erased', (l) => l.eventId === requested.id);
    t.same(smsAfter(runtime, from), [], 'no SMS at all');
    t.notMatch(JSON.stringify(line), p.phone, 'the log names no phone');
    t.notMatch(JSON.stringify(line), ERASED, 'nor the placeholder as a destination');
    const challenges = await runtime.connection.db.selectFrom('code_challenges').select('id').where('subject_id', '=', p.id).execute();
    t.same(challenges, [], 'no code was made for them');
    t.equal((await runtime.jobs.counts()).failed, 0, 'the job finished, not failed');
  });
});
