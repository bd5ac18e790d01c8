import t from 'tap';
import { eventCount, loggedData, person, PASSWORD } from '../helpers/clients.js';
import { databaseKinds } from '../helpers/databases.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { waitFor } from '../helpers/waiting.js';

// Attacks on the SMS bill and on strangers' phones, over HTTP: every path
// that sends a code takes its units from one limiter (src/auth/send-limits.ts)
// per destination, per account and per IP before anything is recorded. The
// SMS counted are the ones the console provider actually delivered.

const attacked = Array.from({ length: 16 }, (_, i) => `+7951100${String(i).padStart(4, '0')}`);

/** SMS the worker delivered to these numbers so far. */
function delivered(runtime: TestRuntime, phones: readonly string[]): number {
  return runtime.logs.filter((line) => {
    const entry = JSON.parse(line) as { msg?: string; to?: string };
    return entry.msg?.startsWith('sms (console provider') === true && phones.includes(entry.to ?? '');
  }).length;
}

/** Code requests recorded in the log for these numbers (each one becomes one SMS). */
async function requested(runtime: TestRuntime, phones: readonly string[]): Promise<number> {
  return (await loggedData<{ phone: string }>(runtime, 'PhoneVerificationRequested')).filter((data) => phones.includes(data.phone)).length;
}

/** Waits until every recorded request was delivered, then gives the count of SMS. */
async function settledSms(runtime: TestRuntime, phones: readonly string[]): Promise<number> {
  const expected = await requested(runtime, phones);
  await waitFor(`${expected} SMS delivered`, () => delivered(runtime, phones) >= expected, 20_000);
  return delivered(runtime, phones);
}

/** A change that went through: 200, or 202 when the read model lags behind the wait (nothing failed). */
const done = (status: number) => (status === 200 || status === 201 || status === 202 ? 'done' : status);

const changePhone = (runtime: TestRuntime, who: { id: string; token: string }, phone: string, from = '198.51.100.1') =>
  call(runtime.app, 'PATCH', `/api/v1/clients/${who.id}/phone_number`, { token: who.token, body: { phone_number: phone, current_password: PASSWORD }, headers: { 'x-forwarded-for': from } });

t.test('16 phone changes by one account, one after another: the account cap (10 an hour by default) bounds the SMS', async (t) => {
  const runtime = await startRuntime(t);
  const mallory = await person(runtime, '+79517586200');
  const statuses: (number | string)[] = [];
  let refused: Awaited<ReturnType<typeof changePhone>> | undefined;
  for (const phone of attacked) {
    const before = await eventCount(runtime);
    const reply = await changePhone(runtime, mallory, phone);
    statuses.push(done(reply.status));
    if (reply.status === 429) {
      refused = reply;
      t.equal(await eventCount(runtime), before, `a refused change to ${phone} appends nothing`);
    }
  }
  t.same(statuses, [...Array(10).fill('done'), ...Array(6).fill(429)]);
  t.ok(Number(refused?.headers['retry-after']) > 0, 'a 429 says when to try again');
  t.match(refused?.body.detail, /try again in \d+ seconds/);
  t.equal(await settledSms(runtime, attacked), 10, 'ten SMS delivered, not sixteen');
});

for (const database of databaseKinds) {
  t.test(`16 phone changes in parallel (${database}): no more SMS than the cap, however they race`, async (t) => {
    const runtime = await startRuntime(t, { database, env: { RATE_LIMIT_CODES_PER_ACCOUNT: '3' } });
    const mallory = await person(runtime, '+79517586201');
    const replies = await Promise.all(attacked.map((phone) => changePhone(runtime, mallory, phone)));
    const statuses = replies.map((r) => done(r.status));
    t.equal(statuses.filter((s) => s === 429).length, 13, 'thirteen refused');
    t.ok(statuses.every((s) => s === 'done' || s === 429), `only changes and 429s (${statuses.join(' ')})`);
    t.equal(await requested(runtime, attacked), 3, 'three codes recorded');
    t.equal(await settledSms(runtime, attacked), 3, 'three SMS delivered');
  });
}

t.test('one destination through many accounts and IPs: the destination cap (5 an hour) stops it', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => new Date(clock), env: { TRUST_PROXY: '127.0.0.1/8' } });
  const victim = '+79517586299';
  const accounts = [];
  for (let i = 0; i < 7; i++) accounts.push(await person(runtime, `+7951758621${i}`));
  const statuses: (number | string)[] = [];
  for (const [i, account] of accounts.entries()) {
    clock += 61_000; // past the one-code-a-minute cooldown of the destination
    statuses.push(done((await changePhone(runtime, account, victim, `203.0.113.${i + 1}`)).status));
  }
  t.same(statuses, ['done', 'done', 'done', 'done', 'done', 429, 429], 'five codes to the victim in the hour, from five accounts and IPs; the rest refused');
  t.equal(await settledSms(runtime, [victim]), 5);

  const early = await changePhone(runtime, accounts[0]!, '+79517586298', '203.0.113.99');
  t.equal(done(early.status), 'done', 'the cap is the destination’s: another number is served');
  const sameMinute = await changePhone(runtime, accounts[1]!, '+79517586298', '203.0.113.98');
  t.equal(sameMinute.status, 429, 'and a number just sent a code waits a minute, whoever asks');
  t.match(sameMinute.body.detail, /A code was sent recently/);
});

t.test('one IP over many destinations: the per-IP cap stops it, on every sending path', async (t) => {
  const runtime = await startRuntime(t, { env: { TRUST_PROXY: '127.0.0.1/8', RATE_LIMIT_CODE_REQUESTS_PER_IP: '4' } });
  const { app } = runtime;
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const statuses: (number | string)[] = [];
  const before = await eventCount(runtime);
  for (const phone of attacked.slice(0, 6)) statuses.push(done((await call(app, 'POST', '/api/v1/auth/register', { body: { phone }, headers: from('203.0.113.7') })).status));
  t.same(statuses, ['done', 'done', 'done', 'done', 429, 429]);
  t.equal(await eventCount(runtime), before + 8, 'four registrations (two events each); the refused ones appended nothing');
  t.equal(await settledSms(runtime, attacked), 4);
  t.equal((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: attacked[7] }, headers: from('203.0.113.7') })).status, 429, 'the login code shares the IP’s cap');
  t.equal((await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone: attacked[8] }, headers: from('203.0.113.7') })).status, 429, 'and the resend');
  t.equal((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: attacked[7] }, headers: from('203.0.113.8') })).status, 200, 'another IP is served');

  // IPv6: a subscriber holds a whole /64, so its addresses share one cap.
  const v6 = [];
  for (let i = 1; i <= 5; i++) v6.push((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: attacked[8 + i] }, headers: from(`2001:db8:1:2::${i}`) })).status);
  t.same(v6, [200, 200, 200, 200, 429], 'five addresses of one /64 count as one client');
});
