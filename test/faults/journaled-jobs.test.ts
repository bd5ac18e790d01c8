import t from 'tap';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/observability/tracing.js';
import { createInProcessJobs } from '../../src/jobs/in-process.js';
import { jobJournal } from '../../src/jobs/job-journal.js';
import { jobQueueContract, TEST_BACKOFF_MS } from '../helpers/job-queue-contract.js';
import { recordingLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/waiting.js';
import { databaseKinds, freshConnection } from '../helpers/databases.js';

// The embedded queue with its journal keeps the contract every adapter keeps,
// and what it recorded carries over to a new queue on the same database.

for (const kind of databaseKinds) {
  t.test(`in-process jobs with a journal (${kind}): the JobQueue contract`, async (t) => {
    const { db } = await freshConnection(t, kind);
    jobQueueContract(t, async (t, handlers, logger) => {
      // Each case on a clean table: ids repeat across cases.
      await db.deleteFrom('jobs').execute();
      const queue = createInProcessJobs({ handlers, logger, backoffBaseMs: TEST_BACKOFF_MS, journal: jobJournal(db) });
      await queue.resume();
      t.teardown(() => queue.close());
      return { queue, closeWorker: () => queue.close() };
    });
  });

  t.test(`a delayed job outlives its queue and runs once in the next (${kind})`, async (t) => {
    const { db } = await freshConnection(t, kind);
    const runs: string[] = [];
    const handlers = { remind: async (data: Record<string, string>) => void runs.push(data.who!) };
    const first = createInProcessJobs({ handlers, logger: recordingLogger().logger, journal: jobJournal(db) });
    await first.resume();
    await first.enqueue('remind', { who: 'a' }, { jobId: 'remind-a', delayMs: 300 });
    await first.enqueue('remind', { who: 'b' }, { jobId: 'remind-b', delayMs: 60_000 });
    await first.remove('remind-b');
    await first.close();
    t.same(runs, [], 'nothing ran before the stop');

    const second = createInProcessJobs({ handlers, logger: recordingLogger().logger, journal: jobJournal(db) });
    t.teardown(() => second.close());
    await second.resume();
    await waitFor('the kept job', () => runs.length === 1);
    await second.enqueue('remind', { who: 'a' }, { jobId: 'remind-a' });
    await waitFor('its completion recorded', async () => (await db.selectFrom('jobs').select('state').where('id', '=', 'remind-a').executeTakeFirst())?.state === 'completed');
    t.same(runs, ['a'], 'once: enqueued again after it ran, the id is still known; the removed job never runs');
    t.same(await second.counts(), { waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  t.test(`a job resumed after a restart still continues the trace that enqueued it (${kind})`, async (t) => {
    const { db } = await freshConnection(t, kind);
    const spans = new InMemorySpanExporter();
    const tracing = await startTracing({ exporter: 'none' }, { exporter: spans });
    t.teardown(() => tracing.shutdown());
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    let ranIn: string | undefined;
    const handlers = { remind: async () => void (ranIn = trace.getActiveSpan()?.spanContext().traceId) };
    const first = createInProcessJobs({ handlers, logger: recordingLogger().logger, journal: jobJournal(db) });
    await first.resume();
    await first.enqueue('remind', { who: 'a' }, { jobId: 'remind-traced', delayMs: 300, traceparent });
    await first.close();
    t.equal((await db.selectFrom('jobs').select('traceparent').where('id', '=', 'remind-traced').executeTakeFirst())?.traceparent, traceparent, 'kept beside the job');

    const second = createInProcessJobs({ handlers, logger: recordingLogger().logger, journal: jobJournal(db) });
    t.teardown(() => second.close());
    await second.resume();
    await waitFor('the kept job', () => ranIn !== undefined);
    t.equal(ranIn, '4bf92f3577b34da6a3ce929d0e0e4736', 'the resumed job ran in the trace it was enqueued in');
    t.match(spans.getFinishedSpans().find((s) => s.name === 'job remind')?.parentSpanContext, { spanId: '00f067aa0ba902b7' });
  });
}
