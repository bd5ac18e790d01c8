import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ContactPseudonym } from '../events/identity/contact.js';

// Throttling per account after repeated wrong passwords (OWASP: slow down
// guessing against one account whatever the source IP). Keyed by the
// identifier typed in, so unknown accounts are throttled alike: a phone or
// an email by its pseudonym (loginAccount), never in clear.
//
// An attempt is counted BEFORE its password is verified, in one atomic
// upsert: parallel guesses each take a slot and the fifth locks the account,
// so no more than five are ever verified however many arrive at once. A
// right password clears the count; an attempt that got no verdict (the
// server was too busy) gives its slot back.

/** The throttled account of a password login by phone or email. */
export const loginAccount = (kind: 'phone' | 'email', pseudonym: ContactPseudonym): string => `${kind}:${pseudonym}`;

export const THROTTLE_POLICY = Object.freeze({ freeFailures: 5, lockMs: 15 * 60_000, windowMs: 15 * 60_000 });

/**
 * Reserves one attempt for `account`: 0 when reserved, else the seconds the
 * account stays locked. The reservation that fills the last free slot locks
 * the account already; only a right password (clearFailures) lifts it early.
 */
export async function reserveAttempt(db: Kysely<Database>, account: string, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMs);
  const lockUntil = new Date(now.getTime() + THROTTLE_POLICY.lockMs);
  const reserved = await sql<{ failures: number }>`
    insert into login_failures (account, failures, last_failure_at, locked_until)
    values (${account}, 1, ${now}::timestamptz, ${THROTTLE_POLICY.freeFailures <= 1 ? lockUntil : null}::timestamptz)
    on conflict (account) do update set
      failures = case when login_failures.last_failure_at < ${windowStart}::timestamptz then 1 else login_failures.failures + 1 end,
      last_failure_at = excluded.last_failure_at,
      locked_until = case
        when login_failures.last_failure_at >= ${windowStart}::timestamptz and login_failures.failures + 1 >= ${THROTTLE_POLICY.freeFailures} then ${lockUntil}::timestamptz
        else null end
    where login_failures.locked_until is null or login_failures.locked_until <= ${now}::timestamptz
    returning failures`.execute(db);
  if (reserved.rows.length > 0) return 0;
  const row = await db.selectFrom('login_failures').select('locked_until').where('account', '=', account).executeTakeFirst();
  const until = row?.locked_until ? new Date(row.locked_until).getTime() : now.getTime() + 1000;
  return Math.max(1, Math.ceil((until - now.getTime()) / 1000));
}

/** Gives back a reserved attempt that got no verdict; the lock it may have set goes with it. */
export async function releaseAttempt(db: Kysely<Database>, account: string): Promise<void> {
  await sql`
    update login_failures set
      failures = greatest(failures - 1, 0),
      locked_until = case when failures - 1 < ${THROTTLE_POLICY.freeFailures} then null else locked_until end
    where account = ${account}`.execute(db);
}

export async function clearFailures(db: Kysely<Database>, account: string): Promise<void> {
  await db.deleteFrom('login_failures').where('account', '=', account).execute();
}

export type Throttled<T> = { readonly locked: false; readonly value: T | undefined } | { readonly locked: true; readonly retryAfterSeconds: number };

/**
 * Runs `check` (a password verification: a value when right, undefined when
 * wrong) under the throttle of `account`: not at all while it is locked;
 * a wrong answer keeps its reserved slot as a failure, a right one clears
 * them, and a check that throws gives its slot back.
 */
export async function throttled<T>(db: Kysely<Database>, account: string, now: Date, check: () => Promise<T | undefined>): Promise<Throttled<T>> {
  const wait = await reserveAttempt(db, account, now);
  if (wait > 0) return { locked: true, retryAfterSeconds: wait };
  let value: T | undefined;
  try {
    value = await check();
  } catch (error) {
    await releaseAttempt(db, account);
    throw error;
  }
  if (value !== undefined) await clearFailures(db, account);
  return { locked: false, value };
}
