import t from 'tap';
import { takeQuotas } from '../../src/auth/quotas.js';
import { claimReminder, codeQuotas, ipKey } from '../../src/auth/send-limits.js';
import { contactStreams } from '../../src/events/identity/contact.js';
import { loadConfig } from '../../src/config.js';
import { databaseKinds, freshConnection } from '../helpers/databases.js';

// The counters under every cap: one atomic upsert per key, so parallel
// takers never pass a cap together, on PostgreSQL and on embedded PGlite.

const limits = loadConfig({}).rateLimits;

for (const kind of databaseKinds) {
  t.test(`25 parallel takers of a cap of 5 (${kind}): exactly 5 pass`, async (t) => {
    const { db } = await freshConnection(t, kind);
    const now = new Date('2026-11-23T10:00:00Z');
    const quota = { key: 'test:race', max: 5, windowMs: 60_000 };
    const decisions = await Promise.all(Array.from({ length: 25 }, () => takeQuotas(db, [quota], now)));
    t.equal(decisions.filter((d) => d.ok).length, 5);
    t.ok(decisions.every((d) => d.ok || d.retryAfterSeconds === 60), 'the refused wait for the window to end');
    const later = await takeQuotas(db, [quota], new Date(now.getTime() + 60_000));
    t.ok(later.ok, 'a new window starts once the first one ends');
  });

  t.test(`a refusal by one quota takes nothing from the others (${kind})`, async (t) => {
    const { db } = await freshConnection(t, kind);
    const now = new Date('2026-11-23T10:00:00Z');
    const tight = { key: 'test:a-tight', max: 1, windowMs: 60_000 };
    const roomy = { key: 'test:b-roomy', max: 2, windowMs: 60_000 };
    t.ok((await takeQuotas(db, [tight, roomy], now)).ok);
    const refused = await takeQuotas(db, [tight, roomy], now);
    t.same(refused, { ok: false, retryAfterSeconds: 60, key: 'test:a-tight' });
    t.ok((await takeQuotas(db, [roomy], now)).ok, 'the roomy quota still has its second unit');
  });
}

t.test('reminders: at most RATE_LIMIT_REMINDERS_PER_PHONE (10) a day to one phone, on their own counter', async (t) => {
  const { db } = await freshConnection(t, 'pglite');
  const now = new Date('2026-11-23T10:00:00Z');
  const phone = contactStreams(Buffer.alloc(32, 7)).destination('+79517586200');
  const decisions = [];
  for (let i = 0; i < 11; i++) decisions.push((await claimReminder(db, limits, phone, now)).ok);
  t.same(decisions, [...Array(10).fill(true), false]);
  t.ok((await takeQuotas(db, codeQuotas(limits, { purpose: 'login', destination: phone }), now)).ok, 'a login code to that phone is still sent');
  t.ok((await claimReminder(db, limits, phone, new Date(now.getTime() + 86_400_000))).ok, 'the next day has its own reminders');
});

t.test('IPv6 addresses count per /64; IPv4 and IPv4-mapped whole', async (t) => {
  t.equal(ipKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  t.equal(ipKey('2001:0db8:0001:0002:ffff:0:0:9'), '2001:db8:1:2::/64');
  t.equal(ipKey('2001:db8::1'), '2001:db8:0:0::/64');
  t.equal(ipKey('::1'), '0:0:0:0::/64');
  t.equal(ipKey('::ffff:203.0.113.5'), '203.0.113.5');
  t.equal(ipKey('203.0.113.5'), '203.0.113.5');
});
