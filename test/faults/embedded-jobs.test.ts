import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { compose } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { freshPgliteDir } from '../helpers/databases.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { book, client, clinic, everyDay, specialist } from '../helpers/scheduling.js';
import { until } from '../helpers/waiting.js';

// Embedded mode (PGlite, no Redis): a reminder scheduled before a restart is
// sent after it, once. The clock is fixed so that "24 hours before" the
// appointment falls a few seconds after the restart.

const LEAD = 24 * 3_600_000;

async function start(dataDir: string, clock: Date): Promise<TestRuntime> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'info', RATE_LIMIT_CODE_REQUESTS_PER_IP: '1000', RATE_LIMIT_GUESSES_PER_IP: '1000' };
  const runtime = await compose(loadConfig(env), pino({ level: 'info' }, sink), { now: () => clock });
  return Object.assign(runtime, { app: runtime.app!, logs });
}

const reminders = (logs: readonly string[], phone: string) =>
  logs.map((line) => JSON.parse(line) as { msg?: string; to?: string; text?: string }).filter((e) => e.msg?.startsWith('sms (console provider') && e.to === phone && e.text?.startsWith('Reminder'));

t.test('embedded mode: a reminder scheduled before a stop is delivered after the restart, once', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'embedded-jobs-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await freshPgliteDir(t, join(dataDir, 'pglite'));
  const clock = new Date(Date.UTC(2026, 11, 1, 6, 0, 0));

  const first = await start(dataDir, clock);
  let firstOpen = true;
  t.teardown(() => (firstOpen ? first.close() : undefined));
  const c = await clinic(first);
  const doctor = await specialist(first, c, 'Dr One', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 });
  const alice = await client(first, '+79517586211', c);
  // Due some seconds from now: after the restart below, whatever the machine's pace.
  const booked = await book(first, c.org, c.manager.token, { specialist_id: doctor, client_id: alice.record, start: new Date(clock.getTime() + LEAD + 8_000).toISOString() });
  t.equal(booked.status, 201);
  const jobId = `reminder-${booked.body.id}-${Date.parse(booked.body.start ?? booked.body.slot?.start ?? '')}`;
  // The reactor scheduled the reminder, and it is recorded.
  await until(async () => ((await first.connection.db.selectFrom('jobs').select('id').where('name', '=', 'appointment-reminder').execute()).length === 1) || undefined);

  await first.close();
  firstOpen = false;
  t.same(reminders(first.logs, alice.phone), [], 'not sent before the stop');
  t.notOk(first.logs.some((l) => l.includes('"dropped"')), 'no job dropped at the stop');

  const second = await start(dataDir, clock);
  t.teardown(() => second.close());
  t.ok(second.logs.some((l) => l.includes('jobs kept from before the restart resumed')), 'resumed at start');
  await until(() => reminders(second.logs, alice.phone).length > 0 || undefined, 60_000);
  const row = await second.connection.db.selectFrom('jobs').selectAll().where('name', '=', 'appointment-reminder').executeTakeFirstOrThrow();
  await until(async () => ((await second.connection.db.selectFrom('jobs').select('state').where('id', '=', row.id).executeTakeFirst())?.state === 'completed') || undefined);
  t.same(await second.jobs.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0 }, 'nothing else is pending that could send it again');
  t.equal(reminders(second.logs, alice.phone).length, 1, 'delivered once');
  t.equal(row.id, jobId, 'the reminder job of that appointment');
});
