import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ContactPseudonym } from '../events/identity/contact.js';
import type { Subject } from './credentials.js';

// One-time codes (phone verification, passwordless login, email
// verification): 6 digits from a CSPRNG, valid 5 minutes, single use, at most
// 5 wrong tries. Only an HMAC of the code is stored; the plain code exists in
// the worker that sends it and in the message. The destination is kept as
// its pseudonym (src/events/identity/contact.ts), never the phone or email:
// a code stays bound to where it was sent, since one value has one pseudonym.

export type CodePurpose = 'phone_verification' | 'login' | 'email_verification' | 'reauthentication';

export const CODE_POLICY = Object.freeze({
  ttlMs: 5 * 60_000,
  maxAttempts: 5,
  /** One code per purpose and destination in this time; the other caps are settings (src/auth/send-limits.ts). */
  resendCooldownMs: 60_000,
});

export type CodeCheck = 'ok' | 'invalid' | 'expired' | 'exhausted' | 'missing';

/** A verified code names whose challenge it was; a code proves only the destination it was sent to. */
export type CodeOutcome = { readonly check: 'ok'; readonly subjectId: string } | { readonly check: Exclude<CodeCheck, 'ok'> };

const hmac = (secret: Buffer, code: string) => createHmac('sha256', secret).update(code).digest('hex');

export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * The worker's half: a fresh code for a challenge, stored as an HMAC. A retry
 * of the same job replaces the code; a consumed challenge gets none.
 */
export async function issueCode(
  db: Kysely<Database>,
  secret: Buffer,
  challenge: { id: string; purpose: CodePurpose; subject: Subject; destination: ContactPseudonym; now: Date },
): Promise<string | undefined> {
  const code = newCode();
  const { id, purpose, subject, destination, now } = challenge;
  const row = await db
    .insertInto('code_challenges')
    .values({
      id,
      purpose,
      subject_id: subject.id,
      subject_kind: subject.kind,
      destination,
      code_hmac: hmac(secret, code),
      issued_at: now,
      expires_at: new Date(now.getTime() + CODE_POLICY.ttlMs),
    })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({ code_hmac: eb.ref('excluded.code_hmac'), issued_at: eb.ref('excluded.issued_at'), expires_at: eb.ref('excluded.expires_at'), attempts: 0 }))
        .where('code_challenges.consumed_at', 'is', null),
    )
    .returning('id')
    .executeTakeFirst();
  return row ? code : undefined;
}

/**
 * Checks a code against the latest challenge of this purpose sent to this
 * destination (and, when given, of this subject): a code opens only the
 * phone or email it was sent to. The try is counted before comparing, under
 * a row lock, so parallel guesses cannot exceed the limit; a match consumes
 * the challenge and names its subject.
 */
export async function verifyCode(
  db: Kysely<Database>,
  secret: Buffer,
  attempt: { purpose: CodePurpose; destination: ContactPseudonym; subjectId?: string; code: string; now: Date },
): Promise<CodeOutcome> {
  const { purpose, destination, subjectId, code, now } = attempt;
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('code_challenges')
      .select(['id', 'subject_id', 'code_hmac', 'expires_at', 'attempts', 'consumed_at'])
      .where('destination', '=', destination)
      .where('purpose', '=', purpose);
    if (subjectId !== undefined) query = query.where('subject_id', '=', subjectId);
    const latest = await query.orderBy('issued_at', 'desc').limit(1).forUpdate().executeTakeFirst();
    if (!latest || latest.consumed_at !== null) return { check: 'missing' };
    if (new Date(latest.expires_at).getTime() <= now.getTime()) return { check: 'expired' };
    if (latest.attempts >= CODE_POLICY.maxAttempts) return { check: 'exhausted' };
    await trx.updateTable('code_challenges').set({ attempts: latest.attempts + 1 }).where('id', '=', latest.id).execute();
    const expected = Buffer.from(latest.code_hmac, 'hex');
    const given = Buffer.from(hmac(secret, code), 'hex');
    if (!timingSafeEqual(expected, given)) return { check: latest.attempts + 1 >= CODE_POLICY.maxAttempts ? 'exhausted' : 'invalid' };
    await trx.updateTable('code_challenges').set({ consumed_at: now }).where('id', '=', latest.id).execute();
    return { check: 'ok', subjectId: latest.subject_id };
  });
}
