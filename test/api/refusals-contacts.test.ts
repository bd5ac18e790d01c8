import t from 'tap';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';
import { staffMember, verifyEmail, verifyPhone } from '../helpers/staff.js';
import { phoneStream } from '../../src/events/identity/contact.js';

// A refused command appends nothing (issue 11, "Nothing changes on a 4xx"):
// each refusal here is decided by reading the streams involved before any
// append, so the log's event count is the same after the 4xx as before it.

t.test('POST /users with an email or phone someone owns: 409 and no event', async (t) => {
  const runtime = await startRuntime(t);
  const owner = await staffMember(runtime, 'owner@clinic.example', { phone: '+79161230001' });
  await verifyEmail(runtime, owner);
  await verifyPhone(runtime, owner, '+79161230001');

  for (const body of [
    { email: 'OWNER@clinic.example', password: 'another-password' },
    { email: 'fresh@clinic.example', phone: '+7 916 123-00-01', password: 'another-password' },
    { email: 'owner@clinic.example', phone: '+79161230001', password: 'another-password' },
  ]) {
    const before = await eventCount(runtime);
    const refused = await call(runtime.app, 'POST', '/api/v1/users', { body });
    t.equal(refused.status, 409, `${JSON.stringify(body)} is refused`);
    t.equal(await eventCount(runtime), before, 'and nothing was appended');
  }
});

t.test('registering a phone someone verified: 409 and no event', async (t) => {
  const runtime = await startRuntime(t);
  await person(runtime, '+79161230002');
  const before = await eventCount(runtime);
  const refused = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: '+79161230002', password: 'another-password' } });
  t.equal(refused.status, 409);
  t.equal(await eventCount(runtime), before, 'nothing was appended');
});

t.test('a client changing to a phone someone verified: 409 and no event', async (t) => {
  const runtime = await startRuntime(t);
  await person(runtime, '+79161230003');
  const changer = await person(runtime, '+79161230004');
  const before = await eventCount(runtime);
  const refused = await call(runtime.app, 'PATCH', `/api/v1/clients/${changer.id}/phone_number`, { token: changer.token, body: { phone_number: '+79161230003', current_password: changer.password } });
  t.equal(refused.status, 409);
  t.equal(await eventCount(runtime), before, 'nothing was appended');
});

t.test('the code of a phone the account no longer names: 400, and the number was never owned and given back', async (t) => {
  const runtime = await startRuntime(t);
  const who = await person(runtime, '+79161230005');
  const change = async (phone: string) => {
    const from = runtime.logs.length;
    const changed = await call(runtime.app, 'PATCH', `/api/v1/clients/${who.id}/phone_number`, { token: who.token, body: { phone_number: phone, current_password: who.password } });
    t.equal(changed.status, 200, `changed to ${phone}`);
    return smsCode(runtime, phone, from);
  };
  const staleCode = await change('+79161230006');
  await change('+79161230007');

  const before = await eventCount(runtime);
  const refused = await call(runtime.app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: '+79161230006', code: staleCode } });
  t.equal(refused.status, 400, 'the account names another number by now');
  t.equal(await eventCount(runtime), before, 'nothing was appended');
  t.same(await streamTypes(runtime, phoneStream('+79161230006')), [], 'no ContactOwned/ContactReleased pair for the number');
});
