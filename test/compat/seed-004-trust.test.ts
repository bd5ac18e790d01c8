import { randomUUID } from 'node:crypto';
import t from 'tap';
import { uniquePhone } from '../helpers/api-spec.js';
import { eventCount, person } from '../helpers/clients.js';
import { send } from '../helpers/compat.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';

// Seed 004 where the trust model (docs/trust-model.md) decides: the login
// form tells nobody who is a client, codes open only the phone they were sent
// to, a login request's handle cannot be forged, bad input changes nothing,
// and the tokens are /api/v1's.

const BASE = '/compat/004/auth/api';
const post = (runtime: TestRuntime, route: string, body: unknown) => send(runtime.app, { method: 'POST', url: `${BASE}/${route}`, body });
const smsLines = (runtime: TestRuntime, from: number, to: string) =>
  runtime.logs.slice(from).filter((line) => line.includes('sms (console') && (JSON.parse(line) as { to?: string }).to === to);

/** Registers `phone` through Register/ and returns the token and the code sent. */
async function registered(runtime: TestRuntime, phone: string) {
  const from = runtime.logs.length;
  const reply = await post(runtime, 'Register/', { phonenumber: phone });
  if (reply.status !== 200) throw new Error(`registering ${phone}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { token: reply.body.token as string, code: await smsCode(runtime, phone, from) };
}

/** A verified person who asked login/ for a code: the user_id and the code. */
async function loginRequested(runtime: TestRuntime, phone: string) {
  await person(runtime, phone);
  const from = runtime.logs.length;
  const reply = await post(runtime, 'login/', { phone });
  if (reply.status !== 200) throw new Error(`login for ${phone}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { userId: reply.body.user_id as string, code: await smsCode(runtime, phone, from) };
}

const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

t.test('seed 004 and the trust model', async (t) => {
  // Real time, moved on past a login request's lifetime where a test needs it.
  let offset = 0;
  const runtime = await startRuntime(t, { now: () => new Date(Date.now() + offset) });

  t.test('login/ for an unknown phone answers as for a client (deviation from the seed’s 404) and sends nothing', async (t) => {
    const client = uniquePhone();
    const stranger = uniquePhone();
    await person(runtime, client);
    const before = await eventCount(runtime);
    const from = runtime.logs.length;
    const unknown = await post(runtime, 'login/', { phone: stranger });
    t.equal(await eventCount(runtime), before, 'nothing appended for the unknown phone: no code to send');
    const known = await post(runtime, 'login/', { phone: client });
    t.equal(unknown.status, known.status, 'the same status');
    t.same(Object.keys(unknown.body).sort(), Object.keys(known.body).sort(), 'the same keys');
    t.same({ ...unknown.body, user_id: '' }, { ...known.body, user_id: '' }, 'the same message and expire_time');
    t.equal((unknown.body.user_id as string).length, (known.body.user_id as string).length, 'a user_id that looks the same');
    await smsCode(runtime, client, from);
    t.same(smsLines(runtime, from, stranger), [], 'no SMS to the unknown phone');
    const again = await post(runtime, 'login/', { phone: stranger });
    t.equal(again.status, 429, 'the cooldown is claimed for every number, so its 429 tells nothing either');
    t.same(again.body, { message: 'User already have a request for login' });
  });

  t.test('user_id is not the account id', async (t) => {
    const phone = uniquePhone();
    const { id } = await person(runtime, phone);
    const reply = await post(runtime, 'login/', { phone });
    t.not(reply.body.user_id, id);
  });

  t.test('a verify code for phone A cannot verify phone B, and a wrong token consumes nothing', async (t) => {
    const [a, b] = [uniquePhone(), uniquePhone()];
    const [forA, forB] = [await registered(runtime, a), await registered(runtime, b)];
    const before = await eventCount(runtime);
    for (const body of [
      { code: forA.code, token: forB.token, phone: b },
      { code: forA.code, token: forA.token, phone: b },
      { code: forB.code, token: forA.token, phone: a },
      { code: forA.code, token: forB.token, phone: a },
      { code: forA.code, token: randomUUID(), phone: a },
    ]) {
      const reply = await post(runtime, 'verify/', body);
      t.equal(reply.status, 400, `refused: ${JSON.stringify(body)}`);
      t.type(reply.body.error, 'string');
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.equal((await post(runtime, 'verify/', { code: forA.code, token: forA.token, phone: a })).status, 200, 'A’s code still verifies A');
    t.equal((await post(runtime, 'verify/', { code: forB.code, token: forB.token, phone: b })).status, 200, 'B’s code still verifies B');
  });

  t.test('a forged, altered, foreign or expired user_id is "login first"; a code opens only its phone', async (t) => {
    const [a, b] = [uniquePhone(), uniquePhone()];
    const [forA, forB] = [await loginRequested(runtime, a), await loginRequested(runtime, b)];
    const flipped = `${forA.userId.slice(0, -1)}${forA.userId.endsWith('0') ? '1' : '0'}`;
    const before = await eventCount(runtime);
    for (const userId of [flipped, randomUUID(), 'not-a-uuid', forA.userId.toUpperCase().replaceAll('-', '')]) {
      const reply = await post(runtime, 'login/verify/', { code: forA.code, user_id: userId });
      t.same({ status: reply.status, body: reply.body }, { status: 400, body: { error: 'login first' } }, `login first: ${userId}`);
    }
    const crossed = await post(runtime, 'login/verify/', { code: forB.code, user_id: forA.userId });
    t.equal(crossed.status, 400, 'B’s code with A’s login request is refused');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.equal((await post(runtime, 'login/verify/', { code: forB.code, user_id: forB.userId })).status, 200, 'B’s code still opens B');
    offset += 5 * 60_000; // past the lifetime of A's request and code
    t.same((await post(runtime, 'login/verify/', { code: forA.code, user_id: forA.userId })).body, { error: 'login first' }, 'expired');
  });

  t.test('login/verify/ answers a wrong code alike for a client’s and a stranger’s login request', async (t) => {
    const { userId } = await loginRequested(runtime, uniquePhone());
    const stranger = (await post(runtime, 'login/', { phone: uniquePhone() })).body.user_id as string;
    const [toClient, toStranger] = [await post(runtime, 'login/verify/', { code: '000000', user_id: userId }), await post(runtime, 'login/verify/', { code: '000000', user_id: stranger })];
    t.same({ status: toStranger.status, body: toStranger.body }, { status: toClient.status, body: toClient.body });
    t.equal(toClient.status, 400);
  });

  t.test('the attempts cap of /api/v1 is kept: after 5 wrong codes the right one is refused', async (t) => {
    const { userId, code } = await loginRequested(runtime, uniquePhone());
    for (let i = 0; i < 5; i++) t.equal((await post(runtime, 'login/verify/', { code: otherThan(code), user_id: userId })).status, 400);
    const last = await post(runtime, 'login/verify/', { code, user_id: userId });
    t.same({ status: last.status, body: last.body }, { status: 400, body: { error: 'code: Too many wrong codes; request a new one.' } });
  });

  t.test('the tokens are /api/v1’s: the access token reads /clients/me, the refresh token refreshes', async (t) => {
    const phone = uniquePhone();
    const { userId, code } = await loginRequested(runtime, phone);
    const tokens = await post(runtime, 'login/verify/', { code, user_id: userId });
    t.equal(tokens.status, 200);
    const me = await call(runtime.app, 'GET', '/api/v1/clients/me', { token: tokens.body.access_token as string });
    t.equal(me.status, 200);
    t.equal(me.body.phone, phone, 'the person who logged in');
    const refreshed = await call(runtime.app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh: tokens.body.refresh_token } });
    t.equal(refreshed.status, 200);
    t.type(refreshed.body.access, 'string');
  });

  t.test('Register/ keeps /api/v1’s caps: a second registration within the cooldown is 429 with Retry-After', async (t) => {
    const phone = uniquePhone();
    await registered(runtime, phone);
    const before = await eventCount(runtime);
    const again = await post(runtime, 'Register/', { phonenumber: phone });
    t.equal(again.status, 429);
    t.type(again.body.error, 'string');
    t.ok(Number(again.headers['retry-after']) > 0);
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('bad input is a 400 {"error"} and appends nothing', async (t) => {
    const before = await eventCount(runtime);
    const cases: [string, unknown][] = [
      ['Register/', { phonenumber: 'not a phone' }],
      ['Register/', { phonenumber: uniquePhone(), password: 'secret-secret' }],
      ['Register/', [uniquePhone()]],
      ['Register/', '{"phonenumber": '],
      ['verify/', { code: 'abc', token: randomUUID(), phone: uniquePhone() }],
      ['verify/', { code: '123456', token: 'not-a-uuid', phone: uniquePhone() }],
      ['login/', { phone: 42 }],
      ['login/', {}],
      ['login/verify/', { code: '12345678', user_id: randomUUID() }],
      ['login/verify/', { code: '123456', user_id: 'x'.repeat(500) }],
    ];
    for (const [route, body] of cases) {
      const reply = await send(runtime.app, { method: 'POST', url: `${BASE}/${route}`, body, headers: { 'content-type': 'application/json' } });
      t.equal(reply.status, 400, `${route} ${JSON.stringify(body)}: 400 (${JSON.stringify(reply.body)})`);
      t.same(Object.keys(reply.body as object), ['error'], 'the seed’s error body');
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('the JSON-only 400 is this profile’s: /api/v1 still answers a form with 415', async (t) => {
    const form = { body: 'phone=%2B79520000000', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    t.equal((await send(runtime.app, { method: 'POST', url: '/api/v1/auth/register', ...form })).status, 415);
    t.equal((await send(runtime.app, { method: 'POST', url: `${BASE}/Register/`, ...form })).status, 400);
  });
});
