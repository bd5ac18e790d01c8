// Where the embedded mode's queue (in-process.ts) keeps its jobs: a table in
// the service's own database, so a delayed job is as durable as the data it
// acts on. The queue runs jobs from memory and writes here as they change;
// at start it resumes what is waiting.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { FailedJob } from './queue.js';

export interface JournaledJob {
  readonly id: string;
  readonly name: string;
  readonly data: Record<string, string>;
  readonly attempt: number;
  readonly attempts: number;
  readonly runAt: Date;
  /** The trace context the job continues, kept so a resumed job still joins its trace. */
  readonly traceparent?: string | undefined;
}

export interface JobJournal {
  /** Records a new job; false when its id is already known (waiting, completed within a day, or failed). */
  add(job: JournaledJob): Promise<boolean>;
  retryAt(id: string, attempt: number, runAt: Date): Promise<void>;
  completed(id: string): Promise<void>;
  failed(id: string, attempt: number, error: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** What was left waiting, and the newest failed jobs; completed jobs older than a day are forgotten. */
  load(failedLimit: number): Promise<{ waiting: JournaledJob[]; failed: FailedJob[] }>;
}

/** As BullMQ keeps completed jobs (bullmq.ts): an id enqueued again within a day is still deduped. */
const KEEP_COMPLETED = '1 day';

export function jobJournal(db: Kysely<Database>): JobJournal {
  return {
    async add(job) {
      const inserted = await db
        .insertInto('jobs')
        .values({ id: job.id, name: job.name, data: JSON.stringify(job.data), state: 'waiting', attempt: job.attempt, attempts: job.attempts, run_at: job.runAt, error: null, finished_at: null, traceparent: job.traceparent ?? null })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async retryAt(id, attempt, runAt) {
      await db.updateTable('jobs').set({ attempt, run_at: runAt }).where('id', '=', id).execute();
    },
    async completed(id) {
      await db.updateTable('jobs').set({ state: 'completed', finished_at: sql<Date>`now()` }).where('id', '=', id).execute();
    },
    async failed(id, attempt, error) {
      await db.updateTable('jobs').set({ state: 'failed', attempt, error, finished_at: sql<Date>`now()` }).where('id', '=', id).execute();
    },
    async remove(id) {
      await db.deleteFrom('jobs').where('id', '=', id).execute();
    },
    async load(failedLimit) {
      await db.deleteFrom('jobs').where('state', '=', 'completed').where('finished_at', '<', sql<Date>`now() - ${KEEP_COMPLETED}::interval`).execute();
      const waiting = await db.selectFrom('jobs').selectAll().where('state', '=', 'waiting').orderBy('run_at').execute();
      const failed = await db.selectFrom('jobs').selectAll().where('state', '=', 'failed').orderBy('finished_at', 'desc').limit(failedLimit).execute();
      return {
        waiting: waiting.map((r) => ({ id: r.id, name: r.name, data: r.data, attempt: r.attempt, attempts: r.attempts, runAt: new Date(r.run_at), ...(r.traceparent ? { traceparent: r.traceparent } : {}) })),
        failed: failed.map((r) => ({ id: r.id, name: r.name, data: r.data, attempts: r.attempt, error: r.error ?? '', failedAt: new Date(r.finished_at ?? r.run_at) })),
      };
    },
  };
}
