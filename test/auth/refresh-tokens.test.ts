import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'kysely';
import {
  InvalidRefreshToken,
  isFamilyActive,
  issueRefresh,
  revokeFamily,
  revokeSubject,
  rotateRefresh,
} from '../../src/auth/refresh-tokens.js';
import { databaseKinds, freshConnection } from '../helpers/databases.js';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T10:00:00Z');
const at = (days: number): Date => new Date(T0.getTime() + days * DAY);
const client = (): { id: string; kind: 'client' } => ({ id: randomUUID(), kind: 'client' });

function refusal(reason: InvalidRefreshToken['reason']): { name: string; message: string; reason: string } {
  return { name: 'InvalidRefreshToken', message: 'Invalid refresh token', reason };
}

for (const kind of databaseKinds) {
  t.test(`refresh tokens on ${kind}`, async (t) => {
    const { db } = await freshConnection(t, kind);

    t.test('issue and rotate', async (t) => {
      const subject = client();
      const issued = await issueRefresh(db, { subject, now: T0 });
      t.match(issued.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
      t.same(issued.expiresAt, at(30));

      const rotated = await rotateRefresh(db, issued.token, { now: at(1) });
      t.same(rotated.subject, subject);
      t.equal(rotated.familyId, issued.familyId, 'same session');
      t.not(rotated.token, issued.token);
      t.same(rotated.expiresAt, at(30), 'rotation does not extend the session');

      const again = await rotateRefresh(db, rotated.token, { now: at(2) });
      t.equal(again.familyId, issued.familyId);
      t.equal(await isFamilyActive(db, issued.familyId), true);

      await t.rejects(rotateRefresh(db, 'A'.repeat(43), { now: at(2) }), refusal('unknown'));
      await t.rejects(rotateRefresh(db, 'not a token', { now: at(2) }), refusal('unknown'));
    });

    t.test('reuse of a rotated token revokes the whole family', async (t) => {
      const subject = client();
      const first = await issueRefresh(db, { subject, now: T0 });
      const second = await rotateRefresh(db, first.token, { now: at(1) });

      await t.rejects(rotateRefresh(db, first.token, { now: at(2) }), refusal('reused'));
      t.equal(await isFamilyActive(db, first.familyId), false, 'the session is over');
      await t.rejects(rotateRefresh(db, second.token, { now: at(2) }), refusal('revoked'), 'the newest token stops too');

      const other = await issueRefresh(db, { subject, now: T0 });
      t.equal(await isFamilyActive(db, other.familyId), true, 'other sessions of the subject survive');
    });

    t.test('20 concurrent rotations of one token: exactly one succeeds', async (t) => {
      const issued = await issueRefresh(db, { subject: client(), now: T0 });
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => rotateRefresh(db, issued.token, { now: at(1) })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      t.equal(won.length, 1, 'one winner');
      t.equal(lost.length, 19);
      t.ok(lost.every((r) => r.reason instanceof InvalidRefreshToken), 'the others get InvalidRefreshToken, not a database error');
      const { count } = await db
        .selectFrom('refresh_tokens')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('family_id', '=', issued.familyId)
        .executeTakeFirstOrThrow();
      t.equal(Number(count), 2, 'a single successor was written');
      // The losers presented an already-rotated token: by RFC 9700 that is reuse.
      t.equal(await isFamilyActive(db, issued.familyId), false, 'the race counts as reuse and ends the session');
    });

    t.test('absolute expiry', async (t) => {
      const issued = await issueRefresh(db, { subject: client(), now: T0, ttlDays: 10 });
      const a = await rotateRefresh(db, issued.token, { now: at(5) });
      const b = await rotateRefresh(db, a.token, { now: at(9.9) });
      await t.rejects(rotateRefresh(db, b.token, { now: at(10) }), refusal('expired'));
      t.equal(await isFamilyActive(db, issued.familyId), false, 'an expired session is revoked');
    });

    t.test('idle expiry', async (t) => {
      const issued = await issueRefresh(db, { subject: client(), now: T0 });
      const fresh = await rotateRefresh(db, issued.token, { now: at(13.9) });
      t.ok(fresh.token, 'used within 14 days');
      await t.rejects(rotateRefresh(db, fresh.token, { now: at(13.9 + 14.01) }), refusal('idle'));
      t.equal(await isFamilyActive(db, issued.familyId), false);

      const custom = await issueRefresh(db, { subject: client(), now: T0 });
      await t.rejects(rotateRefresh(db, custom.token, { now: at(2), idleDays: 1 }), refusal('idle'), 'idleDays option');
    });

    t.test('an expired or idle refusal leaves no successor', async (t) => {
      const issued = await issueRefresh(db, { subject: client(), now: T0, ttlDays: 1 });
      await t.rejects(rotateRefresh(db, issued.token, { now: at(2) }), refusal('expired'));
      const rows = await db.selectFrom('refresh_tokens').select('id').where('family_id', '=', issued.familyId).execute();
      t.equal(rows.length, 1);
    });

    t.test('logout and password change', async (t) => {
      const subject = client();
      const one = await issueRefresh(db, { subject, now: T0 });
      const two = await issueRefresh(db, { subject, now: T0 });
      const bystander = await issueRefresh(db, { subject: client(), now: T0 });

      await revokeFamily(db, one.familyId, at(1));
      t.equal(await isFamilyActive(db, one.familyId), false);
      t.equal(await isFamilyActive(db, two.familyId), true);
      await t.rejects(rotateRefresh(db, one.token, { now: at(1) }), refusal('revoked'));

      await revokeSubject(db, subject.id, at(1));
      t.equal(await isFamilyActive(db, two.familyId), false);
      await t.rejects(rotateRefresh(db, two.token, { now: at(1) }), refusal('revoked'));
      t.equal(await isFamilyActive(db, bystander.familyId), true, 'other subjects untouched');
      t.equal(await isFamilyActive(db, randomUUID()), false, 'an unknown session is not active');
    });

    t.test('only hashes are stored', async (t) => {
      const issued = await issueRefresh(db, { subject: client(), now: T0 });
      const rotated = await rotateRefresh(db, issued.token, { now: at(1) });
      const { rows } = await sql<{ dump: string }>`select coalesce(string_agg(r::text, E'\n'), '') as dump from refresh_tokens r`.execute(db);
      const dump = rows[0]?.dump ?? '';
      t.ok(dump.length > 0);
      for (const token of [issued.token, rotated.token]) {
        t.notOk(dump.includes(token), 'the plain token is not in the table');
      }
      const stored = await db.selectFrom('refresh_tokens').select('token_hash').where('family_id', '=', issued.familyId).execute();
      t.ok(stored.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash)), 'SHA-256 hex');
    });
  });
}
