import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

// Throttling per account after repeated wrong passwords (OWASP: slow down
// guessing against one account whatever the source IP). Keyed by the
// identifier typed in, so unknown accounts are throttled alike.

export const THROTTLE_POLICY = Object.freeze({ freeFailures: 5, lockMs: 15 * 60_000, windowMs: 15 * 60_000 });

/** Seconds to wait before this account may try again, or 0. */
export async function lockedFor(db: Kysely<Database>, account: string, now: Date): Promise<number> {
  const row = await db.selectFrom('login_failures').select('locked_until').where('account', '=', account).executeTakeFirst();
  const until = row?.locked_until ? new Date(row.locked_until).getTime() : 0;
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

/** Counts a failure atomically; the one that reaches the limit locks the account. */
export async function recordFailure(db: Kysely<Database>, account: string, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMs);
  const lockUntil = new Date(now.getTime() + THROTTLE_POLICY.lockMs);
  await sql`
    insert into login_failures (account, failures, last_failure_at, locked_until)
    values (${account}, 1, ${now}, null)
    on conflict (account) do update set
      failures = case when login_failures.last_failure_at < ${windowStart} then 1 else login_failures.failures + 1 end,
      last_failure_at = excluded.last_failure_at,
      locked_until = case
        when login_failures.last_failure_at >= ${windowStart} and login_failures.failures + 1 >= ${THROTTLE_POLICY.freeFailures} then ${lockUntil}::timestamptz
        else login_failures.locked_until end`.execute(db);
}

export async function clearFailures(db: Kysely<Database>, account: string): Promise<void> {
  await db.deleteFrom('login_failures').where('account', '=', account).execute();
}
