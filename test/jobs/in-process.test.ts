import t from 'tap';
import { createInProcessJobs } from '../../src/jobs/in-process.js';
import { jobQueueContract, TEST_BACKOFF_MS } from '../helpers/job-queue-contract.js';
import { sleep } from '../helpers/jobs.js';
import { recordingLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/waiting.js';

t.test('in-process jobs: the JobQueue contract', async (t) => {
  jobQueueContract(t, async (t, handlers, logger) => {
    const queue = createInProcessJobs({ handlers, logger, backoffBaseMs: TEST_BACKOFF_MS });
    t.teardown(() => queue.close());
    return { queue, closeWorker: () => queue.close() };
  });
});

t.test('the handler does not run inside the caller\'s await', async (t) => {
  let ran = false;
  const queue = createInProcessJobs({ handlers: { quick: async () => void (ran = true) }, logger: recordingLogger().logger });
  t.teardown(() => queue.close());
  await queue.enqueue('quick', {});
  t.notOk(ran, 'enqueue returned before the handler started');
  await waitFor('the job', () => ran);
});

t.test('the failed list is bounded, newest first', async (t) => {
  const queue = createInProcessJobs({ handlers: {}, logger: recordingLogger().logger, failedLimit: 2 });
  t.teardown(() => queue.close());
  for (const id of ['f-a', 'f-b', 'f-c']) await queue.enqueue('missing', {}, { jobId: id });
  await waitFor('three failures', async () => (await queue.failed()).map((f) => f.id).join() === 'f-c,f-b');
  t.equal((await queue.counts()).failed, 2);
  await queue.remove('f-b');
  t.same((await queue.failed()).map((f) => f.id), ['f-c'], 'remove clears a failed job');
});

t.test('close drops pending jobs, cancels their timers and refuses new ones', async (t) => {
  let runs = 0;
  const { logger, entries } = recordingLogger();
  const queue = createInProcessJobs({
    handlers: { fail: async () => { runs += 1; throw new Error('no'); } },
    logger,
    backoffBaseMs: 60_000,
  });
  await queue.enqueue('fail', {}, { jobId: 'retrying' });
  await queue.enqueue('fail', {}, { jobId: 'delayed', delayMs: 60_000 });
  await waitFor('the first attempt', () => runs === 1);
  t.match(await queue.counts(), { delayed: 2, active: 0 });
  await queue.close();
  t.match(entries.at(-1), { level: 'warn', obj: { dropped: 2 } });
  await t.rejects(queue.enqueue('fail', {}), /closed/);
  await sleep(20);
  t.equal(runs, 1);
  // No assertion for the timers: tap would hang past its timeout if one were left.
});

t.test('a job delayed beyond what one Node timer holds (24.8 days) waits, and does not run at once', async (t) => {
  const ran: string[] = [];
  const queue = createInProcessJobs({ handlers: { job: async (data) => void ran.push(String((data as { name: string }).name)) }, logger: recordingLogger().logger });
  t.teardown(() => queue.close());
  // A reminder of an appointment booked two months ahead: one timer of that length would fire after 1 ms.
  await queue.enqueue('job', { name: 'in 50 days' }, { jobId: 'far', delayMs: 50 * 86_400_000 });
  await queue.enqueue('job', { name: 'soon' }, { jobId: 'near', delayMs: 5 });
  await waitFor('the near job', () => ran.includes('soon'));
  t.same(ran, ['soon'], 'the far job has not run');
  t.match(await queue.counts(), { delayed: 1 }, 'it is still delayed');
});
