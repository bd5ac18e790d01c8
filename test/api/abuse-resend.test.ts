import t from 'tap';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';

// POST /auth/phone/resend must not tell who is registered: an unknown phone,
// a verified one and one awaiting verification get the same status and body;
// only the last is sent a code.

t.test('resend answers alike for unknown, verified and unverified phones, and sends only to the unverified', async (t) => {
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const runtime = await startRuntime(t, { now: () => new Date(clock) });
  const { app } = runtime;
  const verified = '+79517586500';
  const unverified = '+79517586501';
  const unknown = '+79517586502';
  await person(runtime, verified);
  const registered = await call(app, 'POST', '/api/v1/auth/register', { body: { phone: unverified } });
  await smsCode(runtime, unverified);

  clock += 61_000; // past the cooldown of the codes just sent, so each phone is judged on what it is
  const before = await eventCount(runtime);
  const fromLog = runtime.logs.length;
  const [toVerified, toUnknown, toUnverified] = await Promise.all([verified, unknown, unverified].map((phone) => call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } })));
  const expected = { detail: 'If this phone number awaits verification, a new code has been sent to it.', expires_in: 300 };
  for (const [name, reply] of Object.entries({ verified: toVerified!, unknown: toUnknown!, unverified: toUnverified! })) {
    t.equal(reply.status, 202, `${name}: 202`);
    t.same(reply.body, expected, `${name}: the same body`);
  }
  t.equal(await eventCount(runtime), before + 1, 'one code request recorded: the unverified phone’s');
  t.same((await streamTypes(runtime, `client-${registered.body.client_id as string}`)).at(-1), 'PhoneVerificationRequested');
  await smsCode(runtime, unverified, fromLog);
  const sentTo = runtime.logs.slice(fromLog).filter((line) => line.includes('sms (console')).map((line) => (JSON.parse(line) as { to: string }).to);
  t.same(sentTo, [unverified], 'nothing sent to the verified or the unknown phone');
});
