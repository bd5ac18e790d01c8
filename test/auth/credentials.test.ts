import { randomUUID } from 'node:crypto';
import t from 'tap';
import { getPasswordHash, setPassword } from '../../src/auth/credentials.js';
import { databaseKinds, freshConnection } from '../helpers/databases.js';

for (const kind of databaseKinds) {
  t.test(`credentials on ${kind}`, async (t) => {
    const { db } = await freshConnection(t, kind);
    const subject = { id: randomUUID(), kind: 'client' as const };

    t.equal(await getPasswordHash(db, subject.id), undefined, 'no password yet');
    await setPassword(db, subject, 'hash-1');
    t.equal(await getPasswordHash(db, subject.id), 'hash-1');
    await setPassword(db, subject, 'hash-2');
    t.equal(await getPasswordHash(db, subject.id), 'hash-2', 'a second set replaces the first');

    const rows = await db.selectFrom('credentials').selectAll().execute();
    t.equal(rows.length, 1, 'one row per subject');
    t.equal(rows[0]?.subject_kind, 'client');
  });
}
