import t from 'tap';
import { clientStream } from '../../src/events/clients/client.js';
import { clientRecordStream } from '../../src/events/clients/client-record.js';
import { ERASED } from '../../src/events/personal.js';
import { CODE_POLICY } from '../../src/auth/codes.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { eventCount, person, PASSWORD, type Person } from '../helpers/clients.js';
import { rawStore } from '../helpers/raw-store.js';
import { call, smsCode, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { clinic, linkedRecord } from '../helpers/scheduling.js';

// A person erases their own account (POST /clients/me/erasure), proving it
// is them with their password or a fresh code. Each behaviour brings its own
// person; they share one runtime and one clinic.

const erasure = (runtime: TestRuntime, p: Person, body: Record<string, unknown>) => call(runtime.app, 'POST', '/api/v1/clients/me/erasure', { token: p.token, body });

async function erasedEvents(runtime: TestRuntime, clientId: string) {
  return (await runtime.store.readStream(clientStream(clientId))).filter((e) => e.type === 'ClientErased');
}

t.test('a person erases their own account', async (t) => {
  // Real time, moved on past a phone's code cooldown where a test needs it.
  let offset = 0;
  const runtime = await startRuntime(t, { now: () => new Date(Date.now() + offset) });
  const c = await clinic(runtime, 'Erasure Self');
  const linkedPerson = async () => {
    const p = await person(runtime, uniquePhone(), { first_name: 'Vera' });
    return { p, record: await linkedRecord(runtime, c, p.phone, p.token) };
  };

  t.test('with their password: 200, the account and its linked record erased, recorded by the person', async (t) => {
    const { p, record } = await linkedPerson();
    const reply = await erasure(runtime, p, { current_password: PASSWORD });
    t.equal(reply.status, 200);
    t.same(reply.body, { erased: true, records: 1, events_in_clear: 0 });
    const [event, ...more] = await erasedEvents(runtime, p.id);
    t.same(more, [], 'one erasure');
    t.same(event?.data, { clientId: p.id, by: 'client', records: [record], erasedAt: event?.data && (event.data as { erasedAt: string }).erasedAt });
    t.same(Object.keys(event!.data as object).sort(), ['by', 'clientId', 'erasedAt', 'records'], 'nothing else in the event');
    const onRecord = (await runtime.store.readStream(clientRecordStream(record))).at(-1);
    t.equal(onRecord?.type, 'ClientRecordErased');
    t.same({ by: (onRecord?.data as { by: string }).by }, { by: 'client' });
    const registered = (await runtime.store.readStream(clientStream(p.id)))[0]!;
    t.equal((registered.data as { phone: string }).phone, ERASED, 'what the account wrote reads [erased] through the store');
  });

  t.test('with a fresh code from POST /auth/reauthenticate: 200', async (t) => {
    const { p } = await linkedPerson();
    const from = runtime.logs.length;
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/reauthenticate', { token: p.token })).status, 202);
    const code = await smsCode(runtime, p.phone, from);
    const reply = await erasure(runtime, p, { code });
    t.equal(reply.status, 200);
    t.same(reply.body, { erased: true, records: 1, events_in_clear: 0 });
    t.equal((await erasedEvents(runtime, p.id)).length, 1);
  });

  t.test('a wrong password is refused (403) and nothing is appended', async (t) => {
    const { p } = await linkedPerson();
    const before = await eventCount(runtime);
    const reply = await erasure(runtime, p, { current_password: 'not-my-password' });
    t.equal(reply.status, 403);
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.equal((await call(runtime.app, 'GET', '/api/v1/clients/me', { token: p.token })).status, 200, 'the account stands');
  });

  t.test('a wrong code is refused (403) and nothing is appended', async (t) => {
    const { p } = await linkedPerson();
    const from = runtime.logs.length;
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/reauthenticate', { token: p.token })).status, 202);
    const code = await smsCode(runtime, p.phone, from);
    const before = await eventCount(runtime);
    const reply = await erasure(runtime, p, { code: code === '000000' ? '111111' : '000000' });
    t.equal(reply.status, 403);
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('no proof at all is bad input (400), nothing appended', async (t) => {
    const { p } = await linkedPerson();
    const before = await eventCount(runtime);
    t.equal((await erasure(runtime, p, {})).status, 400);
    t.equal(await eventCount(runtime), before);
  });

  t.test('afterwards the person cannot sign in: password, login code, the tokens issued before', async (t) => {
    const p = await person(runtime, uniquePhone());
    const refresh = (await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone: p.phone, password: PASSWORD } })).body.refresh as string;
    // A login code asked for before the erasure opens nothing after it.
    const from = runtime.logs.length;
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/login/code', { body: { phone: p.phone } })).status, 200);
    const code = await smsCode(runtime, p.phone, from);
    t.equal((await erasure(runtime, p, { current_password: PASSWORD })).status, 200);

    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone: p.phone, password: PASSWORD } })).status, 401, 'password login refused');
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/login/verify', { body: { phone: p.phone, code } })).status, 400, 'the earlier login code opens nothing');
    t.equal((await call(runtime.app, 'GET', '/api/v1/clients/me', { token: p.token })).status, 403, 'the access token issued before is refused (a revoked session, seed 000)');
    t.equal((await call(runtime.app, 'GET', '/api/v1/clients/me/export', { token: p.token })).status, 403, 'nor can it export what was erased');
    t.equal((await call(runtime.app, 'POST', '/api/v1/auth/token/refresh', { body: { refresh } })).status, 401, 'the refresh token is refused');
  });

  t.test('afterwards the phone registers again (201) as a different account', async (t) => {
    const p = await person(runtime, uniquePhone());
    t.equal((await erasure(runtime, p, { current_password: PASSWORD })).status, 200);
    // The number's send limits outlive the account (they are keyed by its pseudonym): erasing does not buy a new code at once.
    const early = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: p.phone, password: 'another-password' } });
    t.equal(early.status, 429, 'within the code cooldown the number waits like any other');
    offset += CODE_POLICY.resendCooldownMs;
    const again = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: p.phone, password: 'another-password' } });
    t.equal(again.status, 201);
    t.not(again.body.client_id, p.id, 'a new account');
    const newcomer = await person(runtime, uniquePhone());
    t.ok(newcomer, 'registration still works for others');
  });

  t.test('events written in clear before encryption existed are counted in the reply: a key cannot forget them', async (t) => {
    const p = await person(runtime, uniquePhone());
    // As an older version wrote it: no keyOwner, the change in clear.
    await rawStore(t, runtime).append(
      clientStream(p.id),
      [{ type: 'ClientProfileChanged', data: { clientId: p.id, changes: { firstName: 'Legacy' }, changedAt: new Date().toISOString() }, metadata: { actor: { kind: 'system' }, correlationId: 'legacy', causationId: 'legacy' } }],
      { expectedVersion: 'any' },
    );
    const reply = await erasure(runtime, p, { current_password: PASSWORD });
    t.equal(reply.status, 200);
    t.same(reply.body, { erased: true, records: 0, events_in_clear: 1 });
  });

  t.test('concurrent erasure requests record exactly one erasure', async (t) => {
    const { p } = await linkedPerson();
    const replies = await Promise.all([1, 2, 3, 4].map(() => erasure(runtime, p, { current_password: PASSWORD })));
    t.ok(replies.some((r) => r.status === 200), `one at least succeeded (${replies.map((r) => r.status).join(', ')})`);
    t.ok(replies.every((r) => [200, 401, 403].includes(r.status)), 'the others succeeded too or found the account gone');
    t.equal((await erasedEvents(runtime, p.id)).length, 1, 'one ClientErased');
  });
});
