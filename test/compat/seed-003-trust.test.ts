import t, { type Test } from 'tap';
import { send } from '../helpers/compat.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { eventCount, person } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, organizationOf, staffMember, verifyPhone } from '../helpers/staff.js';

// Seed 003 where the trust model (docs/trust-model.md) wins over the
// document, and what bad input does: each an attack over HTTP that fails
// in the seed's format and changes nothing.

const BASE = '/compat/003/users';
const PASSWORD = 'first-password';
const REAUTHENTICATE = { detail: 'Give your current password or a code to change the password, email or phone.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' };

t.test('seed 003 trust', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;

  /** A staff user registered through seed 003 and signed in through it. */
  async function givenUser(t: Test) {
    const email = uniqueEmail('Olga').toLowerCase();
    const number = uniquePhone();
    const created = await call(app, 'POST', `${BASE}/auth/registration/`, { body: { surname: 'Orlova', name: 'Olga', email, number, password: PASSWORD } });
    t.equal(created.status, 201, 'registered');
    const tokens = await call(app, 'POST', `${BASE}/auth/token/`, { body: { email, password: PASSWORD } });
    t.equal(tokens.status, 200, 'signed in');
    return { id: created.body.id as string, email, number, access: tokens.body.access as string, refresh: tokens.body.refresh as string };
  }

  const signsIn = async (login: Record<string, string>) => (await call(app, 'POST', `${BASE}/auth/token/`, { body: login })).status;

  t.test('a new email, number or password without the current password is refused whole: 403, nothing changes', async (t) => {
    const user = await givenUser(t);
    for (const body of [{ email: uniqueEmail('thief') }, { number: uniquePhone() }, { password: 'taken-over-password' }, { surname: 'Stolen', password: 'taken-over-password' }]) {
      const before = await eventCount(runtime);
      const refused = await send(app, { method: 'PATCH', url: `${BASE}/user/`, token: user.access, body });
      t.equal(refused.status, 403, `${Object.keys(body).join(', ')}: refused`);
      t.same(refused.body, REAUTHENTICATE, 'DRF’s 403, its detail saying how to pass');
      t.equal(await eventCount(runtime), before, 'nothing appended');
    }
    const wrong = await send(app, { method: 'PATCH', url: `${BASE}/user/`, token: user.access, body: { password: 'taken-over-password', current_password: 'a-guess' } });
    t.same([wrong.status, wrong.body], [400, { current_password: ['The password is not correct.'] }], 'a wrong current password is refused too');
    const profile = await call(app, 'GET', `${BASE}/user/`, { token: user.access });
    t.match(profile.body, { email: user.email, number: user.number, surname: 'Orlova' }, 'the profile is unchanged');
    t.equal(await signsIn({ email: user.email, password: PASSWORD }), 200, 'the old password still logs in');
    t.equal(await signsIn({ email: user.email, password: 'taken-over-password' }), 401, 'the attacker’s password does not');
  });

  t.test('fields that need no proof change without it, reported in the seed’s words', async (t) => {
    const user = await givenUser(t);
    const changed = await send(app, { method: 'PATCH', url: `${BASE}/user/`, token: user.access, body: { surname: 'Orlova-Petrova', address: 'Lenina 2', email: user.email } });
    t.same(changed.body, { success: { Surname: 'Surname successfully changed', Address: 'Address successfully changed', Email: 'Email successfully changed' }, error: {} });
  });

  t.test('a number someone else confirmed lands in `error` while the rest changes', async (t) => {
    const taken = uniquePhone();
    const owner = await staffMember(runtime, uniqueEmail('Owner'), { phone: taken });
    await verifyPhone(runtime, owner, taken);
    const user = await givenUser(t);
    const report = await send(app, { method: 'PATCH', url: `${BASE}/user/`, token: user.access, body: { name: 'Olya', number: taken, current_password: PASSWORD } });
    t.equal(report.status, 200);
    t.match(report.body, { success: { Name: 'Name successfully changed' }, error: { Number: String } }, 'the name changed, the number is in `error`');
    t.notOk('Number' in report.body.success, 'the number did not change');
  });

  t.test('DELETE without the current password is refused: the account stays', async (t) => {
    const user = await givenUser(t);
    const before = await eventCount(runtime);
    const refused = await send(app, { method: 'DELETE', url: `${BASE}/user/`, token: user.access });
    t.same([refused.status, refused.body], [403, REAUTHENTICATE]);
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.equal((await call(app, 'GET', `${BASE}/user/`, { token: user.access })).status, 200, 'the account is still there');
  });

  t.test('a client’s token on user/ is refused: 403', async (t) => {
    const client = await person(runtime, uniquePhone());
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const answer = await send(app, { method, url: `${BASE}/user/`, token: client.token, ...(method === 'GET' ? {} : { body: {} }) });
      t.same([answer.status, answer.body], [403, FORBIDDEN], `${method} user/`);
    }
    const executors = await send(app, { method: 'GET', url: `${BASE}/user/executor/`, token: client.token });
    t.same([executors.status, executors.body], [403, FORBIDDEN], 'GET user/executor/');
  });

  t.test('tokens interchange: a 003 token works on /api/v1, a /api/v1 token on 003 as Bearer and as Token', async (t) => {
    const user = await givenUser(t);
    const v1Me = await call(app, 'GET', '/api/v1/users/me', { token: user.access });
    t.same([v1Me.status, v1Me.body.id], [200, user.id], 'a 003 access token on /api/v1/users/me');
    const v1 = await call(app, 'POST', '/api/v1/auth/token', { body: { email: user.email, password: PASSWORD } });
    t.equal(v1.status, 200);
    for (const scheme of ['Bearer', 'Token']) {
      const me = await send(app, { method: 'GET', url: `${BASE}/user/`, headers: { authorization: `${scheme} ${v1.body.access}` } });
      t.same([me.status, me.body.id], [200, user.id], `a /api/v1 token as ${scheme}`);
    }
    const refreshed = await send(app, { method: 'POST', url: `${BASE}/auth/token/refresh`, body: { refresh: v1.body.refresh } });
    t.equal(refreshed.status, 200, 'a /api/v1 refresh token rotates on 003');
  });

  t.test('a bad or missing token: 401 in DRF words', async (t) => {
    for (const authorization of ['Token not-a-token', 'Bearer not-a-token', 'Token ', undefined]) {
      const answer = await send(app, { method: 'GET', url: `${BASE}/user/`, ...(authorization === undefined ? {} : { headers: { authorization } }) });
      t.same([answer.status, answer.body], [401, NOT_AUTHENTICATED], `authorization: ${authorization ?? 'none'}`);
    }
  });

  t.test('wrong credentials: 401 in simplejwt’s words, for an email and a number alike', async (t) => {
    const user = await givenUser(t);
    for (const login of [{ email: user.email, password: 'wrong-password' }, { number: user.number, password: 'wrong-password' }, { email: uniqueEmail('nobody'), password: PASSWORD }]) {
      const answer = await send(app, { method: 'POST', url: `${BASE}/auth/token/`, body: login });
      t.same([answer.status, answer.body], [401, { detail: 'No active account found with the given credentials' }], JSON.stringify(Object.keys(login)));
    }
  });

  t.test('a reused refresh token is refused and ends its session', async (t) => {
    const user = await givenUser(t);
    const rotated = await call(app, 'POST', `${BASE}/auth/token/refresh`, { body: { refresh: user.refresh } });
    t.equal(rotated.status, 200);
    const reused = await send(app, { method: 'POST', url: `${BASE}/auth/token/refresh`, body: { refresh: user.refresh } });
    t.same([reused.status, reused.body], [401, { detail: 'Token is invalid or expired.' }], 'the old refresh token is refused');
    const next = await send(app, { method: 'POST', url: `${BASE}/auth/token/refresh`, body: { refresh: rotated.body.refresh } });
    t.equal(next.status, 401, 'the session is over: its newest refresh token is refused too');
    t.equal((await send(app, { method: 'GET', url: `${BASE}/user/`, token: rotated.body.access })).status, 403, 'and its access token');
  });

  t.test('executors: only my organizations’ specialists; another organization named is 404', async (t) => {
    const me = await givenUser(t);
    const owner = { id: me.id, email: me.email, token: me.access };
    const mine = await organizationOf(runtime, owner, 'Mine');
    const colleague = await staffMember(runtime, uniqueEmail('Colleague'));
    await addMember(runtime, mine, owner, colleague, 'specialist');
    const stranger = await staffMember(runtime, uniqueEmail('Stranger'));
    const theirs = await organizationOf(runtime, stranger, 'Theirs');
    const outsider = await staffMember(runtime, uniqueEmail('Outsider'));
    await addMember(runtime, theirs, stranger, outsider, 'specialist');
    const all = await send(app, { method: 'GET', url: `${BASE}/user/executor/`, token: me.access });
    t.same(all.body.map((e: { id: string }) => e.id), [colleague.id], 'my specialist, not theirs');
    for (const organization of [theirs, 'not-an-id']) {
      const refused = await send(app, { method: 'GET', url: `${BASE}/user/executor/?organization=${organization}`, token: me.access });
      t.same([refused.status, refused.body], [404, { detail: 'Not found.' }], `?organization=${organization}`);
    }
    const named = await send(app, { method: 'GET', url: `${BASE}/user/executor/?organization=${mine}`, token: me.access });
    t.same(named.body.map((e: { id: string }) => e.id), [colleague.id], '?organization= of mine');
  });

  t.test('bad input: 400 in DRF format, nothing appended', async (t) => {
    const user = await givenUser(t);
    const cases: { url: string; body: unknown; token?: string; fields: string[] }[] = [
      { url: 'auth/registration/', body: { email: 'not-an-email', password: 'short', number: 'abc' }, fields: ['email', 'password', 'number'] },
      { url: 'auth/registration/', body: { email: uniqueEmail(), password: PASSWORD, login: 'x' }, fields: ['login'] },
      { url: 'auth/token/', body: { password: PASSWORD }, fields: ['email', 'number'] },
      { url: 'accept-email/', body: { code: 1_234_567 }, token: user.access, fields: ['code'] },
      { url: 'accept-email/', body: { code: '12a456' }, token: user.access, fields: ['code'] },
    ];
    for (const { url, body, token, fields } of cases) {
      const before = await eventCount(runtime);
      const answer = await send(app, { method: 'POST', url: `${BASE}/${url}`, body, ...(token ? { token } : {}) });
      t.equal(answer.status, 400, `${url} ${JSON.stringify(body)}: 400 (${JSON.stringify(answer.body)})`);
      for (const field of fields) t.ok(Array.isArray(answer.body[field]), `names ${field} at the top level`);
      t.notOk('detail' in answer.body, 'DRF lists fields without a detail');
      t.equal(await eventCount(runtime), before, 'nothing appended');
    }
    const notJson = await send(app, { method: 'PATCH', url: `${BASE}/user/`, token: user.access, body: '{"surname":', headers: { 'content-type': 'application/json' } });
    t.same([notJson.status, notJson.body], [400, { detail: 'The request body is not valid JSON.' }], 'broken JSON');
  });
});
