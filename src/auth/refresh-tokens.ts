import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { Subject } from './credentials.js';

/** Every refusal, whatever the cause (unknown, expired, idle, revoked, reused). */
export class InvalidRefreshToken extends Error {
  constructor(readonly reason: 'unknown' | 'expired' | 'idle' | 'revoked' | 'reused') {
    super('Invalid refresh token');
    this.name = 'InvalidRefreshToken';
  }
}

export interface IssuedRefresh {
  readonly token: string;
  readonly familyId: string;
  readonly expiresAt: Date;
}

export interface RotatedRefresh extends IssuedRefresh {
  readonly subject: Subject;
}

/** A connection or an open transaction: callers may compose these with their own writes. */
type Db = Kysely<Database> | Transaction<Database>;

const DAY_MS = 86_400_000;
// Namespace of the two-key advisory locks below ('RFRT'), apart from any
// single-key lock other modules take.
const LOCK_SPACE = 0x52465254;
// 32 bytes in base64url; anything else cannot be ours and skips the database.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

// A database dump must not hand out live sessions: only the SHA-256 is kept.
// A salt is unnecessary, the token already carries 256 bits of entropy.
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

async function insertToken(
  db: Db,
  subject: Subject,
  familyId: string,
  now: Date,
  expiresAt: Date,
): Promise<IssuedRefresh> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('refresh_tokens')
    .values({
      id: randomUUID(),
      family_id: familyId,
      subject_id: subject.id,
      subject_kind: subject.kind,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, familyId, expiresAt };
}

/** Starts a session (a new family) or adds a token to one. */
export function issueRefresh(
  db: Db,
  options: { subject: Subject; familyId?: string; now: Date; ttlDays?: number },
): Promise<IssuedRefresh> {
  const { subject, familyId = randomUUID(), now, ttlDays = 30 } = options;
  return insertToken(db, subject, familyId, now, new Date(now.getTime() + ttlDays * DAY_MS));
}

/**
 * Every transaction that changes a family's rows takes this lock first. Row
 * locks alone deadlock: concurrent reuse detections revoke the same rows in
 * whatever order their scans meet them (measured: a few in a thousand races).
 * Held until the transaction ends.
 */
async function lockFamily(trx: Transaction<Database>, familyId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOCK_SPACE}, hashtext(${familyId}))`.execute(trx);
}

async function revokeLocked(trx: Transaction<Database>, familyIds: readonly string[], now: Date): Promise<void> {
  // Sorted, so two multi-family revocations never wait on each other in a cycle.
  for (const familyId of [...familyIds].sort()) await lockFamily(trx, familyId);
  if (familyIds.length === 0) return;
  await trx
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('family_id', 'in', familyIds)
    .where('revoked_at', 'is', null)
    .execute();
}

function inTransaction<T>(db: Db, run: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}

type Outcome = { ok: RotatedRefresh } | { refused: InvalidRefreshToken['reason'] };

/**
 * Exchanges a refresh token for a new one in the same family (RFC 9700 §4.14.2).
 * The new token keeps the family's expiry: a session lives at most ttlDays
 * after login however often it is refreshed, and dies after idleDays unused.
 * Presenting a token that was already exchanged means it leaked (or a client
 * raced itself): the whole family is revoked, so the newest token stops too.
 */
export async function rotateRefresh(
  db: Kysely<Database>,
  token: string,
  options: { now: Date; idleDays?: number },
): Promise<RotatedRefresh> {
  const { now, idleDays = 14 } = options;
  if (!TOKEN_SHAPE.test(token)) throw new InvalidRefreshToken('unknown');
  const tokenHash = hashToken(token);

  // Refusals are returned, not thrown, so that a revocation commits.
  const outcome = await db.transaction().execute(async (trx): Promise<Outcome> => {
    const found = await trx
      .selectFrom('refresh_tokens')
      .select('family_id')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!found) return { refused: 'unknown' };
    await lockFamily(trx, found.family_id);

    // Under the family lock the conditional update alone decides: of
    // concurrent rotations only the first finds used_at still null.
    const claimed = await trx
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning(['family_id', 'subject_id', 'subject_kind', 'created_at', 'expires_at'])
      .executeTakeFirst();

    if (!claimed) {
      const known = await trx
        .selectFrom('refresh_tokens')
        .select('revoked_at')
        .where('token_hash', '=', tokenHash)
        .executeTakeFirstOrThrow();
      if (known.revoked_at !== null) return { refused: 'revoked' };
      await revokeLocked(trx, [found.family_id], now);
      return { refused: 'reused' };
    }

    const expired = new Date(claimed.expires_at).getTime() <= now.getTime();
    const idle = now.getTime() - new Date(claimed.created_at).getTime() > idleDays * DAY_MS;
    if (expired || idle) {
      // The session is over: revoke it so access tokens bound to it stop too.
      await revokeLocked(trx, [found.family_id], now);
      return { refused: expired ? 'expired' : 'idle' };
    }

    const subject: Subject = { id: claimed.subject_id, kind: claimed.subject_kind };
    const next = await insertToken(trx, subject, claimed.family_id, now, new Date(claimed.expires_at));
    return { ok: { ...next, subject } };
  });

  if ('refused' in outcome) throw new InvalidRefreshToken(outcome.refused);
  return outcome.ok;
}

/** Ends one session (logout). */
export function revokeFamily(db: Db, familyId: string, now: Date): Promise<void> {
  return inTransaction(db, (trx) => revokeLocked(trx, [familyId], now));
}

/** Ends every session of a subject (password changed, account blocked). */
export function revokeSubject(db: Db, subjectId: string, now: Date): Promise<void> {
  return inTransaction(db, async (trx) => {
    const families = await trx
      .selectFrom('refresh_tokens')
      .select('family_id')
      .distinct()
      .where('subject_id', '=', subjectId)
      .where('revoked_at', 'is', null)
      .execute();
    await revokeLocked(trx, families.map((f) => f.family_id), now);
  });
}

/** Whether a session still stands; access tokens carry it as `sid` and are refused once it is revoked. */
export async function isFamilyActive(db: Db, familyId: string): Promise<boolean> {
  const row = await db
    .selectFrom('refresh_tokens')
    .select('id')
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
