import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** Who a secret belongs to: a client (self-registered) or a staff user. */
export interface Subject {
  readonly id: string;
  readonly kind: 'client' | 'user';
}

/** Creates or replaces the subject's password hash. Only a hash ever reaches this table. */
export async function setPassword(db: Kysely<Database>, subject: Subject, passwordHash: string): Promise<void> {
  await db
    .insertInto('credentials')
    .values({ subject_id: subject.id, subject_kind: subject.kind, password_hash: passwordHash })
    .onConflict((oc) =>
      oc.column('subject_id').doUpdateSet((eb) => ({
        subject_kind: eb.ref('excluded.subject_kind'),
        password_hash: eb.ref('excluded.password_hash'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

export async function getPasswordHash(db: Kysely<Database>, subjectId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('credentials')
    .select('password_hash')
    .where('subject_id', '=', subjectId)
    .executeTakeFirst();
  return row?.password_hash;
}
