import t from 'tap';
import { eventCount, person, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';
import { staffMember, verifyEmail, verifyPhone } from '../helpers/staff.js';

// A refused command appends nothing (issue 11, "Nothing changes on a 4xx"):
// each refusal here is decided by reading the streams involved before any
// append, so the log's event count is the same after the 4xx as before it.
// One runtime; each behaviour uses its own people and counts the log only
// once its setup is done.

t.test('refused contact changes', async (t) => {
  const runtime = await startRuntime(t);

  // Each row has an owner of its own (ownerN@clinic.example, +791612310NN, both verified) and asks for what they own.
  for (const [row, [name, body]] of ([
    ['the same email, in other case', (i: number) => ({ email: `OWNER${i}@clinic.example`, password: 'another-password' })],
    ['a fresh email with the same phone, written otherwise', (i: number) => ({ email: `fresh${i}@clinic.example`, phone: `+7 916 123-10-0${i}`, password: 'another-password' })],
    ['the same email and phone', (i: number) => ({ email: `owner${i}@clinic.example`, phone: `+791612310${String(i).padStart(2, '0')}`, password: 'another-password' })],
  ] as const).entries()) {
    t.test(`POST /users with ${name} someone owns: 409 and no event`, async (t) => {
      const phone = `+791612310${String(row).padStart(2, '0')}`;
      const owner = await staffMember(runtime, `owner${row}@clinic.example`, { phone });
      await verifyEmail(runtime, owner);
      await verifyPhone(runtime, owner, phone);
      const before = await eventCount(runtime);
      const refused = await call(runtime.app, 'POST', '/api/v1/users', { body: body(row) });
      t.equal(refused.status, 409, `${JSON.stringify(body(row))} is refused`);
      t.equal(await eventCount(runtime), before, 'and nothing was appended');
    });
  }

  t.test('registering a phone someone verified: 409 and no event', async (t) => {
    await person(runtime, '+79161230002');
    const before = await eventCount(runtime);
    const refused = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone: '+79161230002', password: 'another-password' } });
    t.equal(refused.status, 409);
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  t.test('a client changing to a phone someone verified: 409 and no event', async (t) => {
    await person(runtime, '+79161230003');
    const changer = await person(runtime, '+79161230004');
    const before = await eventCount(runtime);
    const refused = await call(runtime.app, 'PATCH', `/api/v1/clients/${changer.id}/phone_number`, { token: changer.token, body: { phone_number: '+79161230003', current_password: changer.password } });
    t.equal(refused.status, 409);
    t.equal(await eventCount(runtime), before, 'nothing was appended');
  });

  t.test('the code of a phone the account no longer names: 400, and the number was never owned and given back', async (t) => {
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
    t.same(await streamTypes(runtime, runtime.deps.contacts.phone('+79161230006')), [], 'no ContactOwned/ContactReleased pair for the number');
  });
});
