import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

// Counters that cap how often something may happen (SMS to a number, codes
// an account asks for, requests from an IP, history reads by a caller). Each
// is one row, taken with one atomic upsert: the row lock orders parallel
// takers in every process, so no two can both pass the last free unit (a
// check-then-act would let them). A window starts at its first use and lasts
// windowMs; a cap of 1 is then a cooldown.

export interface Quota {
  /** What is counted, e.g. `send:destination:+79...`; one namespace per kind of limit. */
  readonly key: string;
  readonly max: number;
  readonly windowMs: number;
}

export type QuotaDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number; readonly key: string };

class Refused extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly key: string,
  ) {
    super('quota refused');
  }
}

// Rows of windows long over are dropped now and then, so keys seen once (an
// IP, a number) do not pile up; every window here is at most a day.
const PRUNE_AFTER_MS = 2 * 86_400_000;
const PRUNE_CHANCE = 0.01;

/**
 * Takes one unit of every quota, or none: when any is used up the whole
 * transaction rolls back and the answer says how long until the last of the
 * refusing windows ends. Keys are locked in sorted order, so two takers of
 * overlapping sets cannot deadlock.
 */
export async function takeQuotas(db: Kysely<Database>, quotas: readonly Quota[], now: Date): Promise<QuotaDecision> {
  const sorted = [...new Map(quotas.map((q) => [q.key, q])).values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  try {
    await db.transaction().execute(async (trx) => {
      let refused: Refused | undefined;
      for (const quota of sorted) {
        const ended = new Date(now.getTime() - quota.windowMs);
        const taken = await sql<{ used: number }>`
          insert into quotas (key, window_start, used) values (${quota.key}, ${now}::timestamptz, 1)
          on conflict (key) do update set
            window_start = case when quotas.window_start <= ${ended}::timestamptz then excluded.window_start else quotas.window_start end,
            used = case when quotas.window_start <= ${ended}::timestamptz then 1 else quotas.used + 1 end
          where quotas.window_start <= ${ended}::timestamptz or quotas.used < ${quota.max}
          returning used`.execute(trx);
        if (taken.rows.length > 0) continue;
        // The failed upsert holds the row's lock, so its window cannot move under this read.
        const row = await trx.selectFrom('quotas').select('window_start').where('key', '=', quota.key).executeTakeFirstOrThrow();
        const wait = Math.max(1, Math.ceil((new Date(row.window_start).getTime() + quota.windowMs - now.getTime()) / 1000));
        if (!refused || wait > refused.retryAfterSeconds) refused = new Refused(wait, quota.key);
      }
      if (refused) throw refused;
    });
  } catch (error) {
    if (error instanceof Refused) return { ok: false, retryAfterSeconds: error.retryAfterSeconds, key: error.key };
    throw error;
  }
  if (Math.random() < PRUNE_CHANCE) await pruneQuotas(db, now);
  return { ok: true };
}

export async function pruneQuotas(db: Kysely<Database>, now: Date): Promise<void> {
  await db.deleteFrom('quotas').where('window_start', '<', new Date(now.getTime() - PRUNE_AFTER_MS)).execute();
}
