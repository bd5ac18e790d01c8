import t, { type Test } from 'tap';
import { userDecider } from '../../src/commands/identity/user.js';
import { clientStream } from '../../src/events/clients/client.js';
import { userStream } from '../../src/events/identity/user.js';
import { clientRecordStream } from '../../src/events/clients/client-record.js';
import { acceptRecord, addRecord, person, PASSWORD, signIn, streamTypes } from '../helpers/clients.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';
import { uniqueEmail, uniquePhone } from '../helpers/api-spec.js';
import { organizationOf, staffMember } from '../helpers/staff.js';

// The attacks of issue 10 on people's accounts and organizations' records,
// each performed over HTTP, each shown to fail (docs/trust-model.md).

const NOT_FOUND = { detail: 'Not found.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

t.test('the client trust model', async (t) => {
  let clock = Date.now();
  const runtime = await startRuntime(t, { now: () => new Date(clock) });
  const { app } = runtime;
  const staff = (name: string) => staffMember(runtime, uniqueEmail(name, 'evil.example'));

  /** A verified victim; an attacker who owns an organization and added the victim's phone to it as a record. */
  const givenTakeover = async (t: Test) => {
    const victim = await person(runtime, uniquePhone(), { first_name: 'Victim' });
    const attacker = await staff('attacker');
    const org = await organizationOf(runtime, attacker, 'Evil clinic');
    const added = await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: attacker.token, body: { first_name: 'Victim', phone: victim.phone, password: 'attacker-password' } });
    t.equal(added.status, 201, 'a new record, as for any phone');
    return { victim, attacker, org, added, record: added.body.id as string };
  };

  t.test('takeover: adding the victim’s phone gives a new record, the same answer as for any phone, never the account', async (t) => {
    const { victim, attacker, org, added } = await givenTakeover(t);
    const unknown = await call(app, 'POST', `/api/v1/organizations/${org}/clients`, { token: attacker.token, body: { first_name: 'Nobody', phone: uniquePhone(), password: 'attacker-password' } });
    t.equal(unknown.status, 201);
    t.same(Object.keys(added.body).sort(), Object.keys(unknown.body).sort(), 'the same answer whether or not an account exists');
    t.equal(added.body.linked, false);
    t.not(added.body.id, victim.id, 'the record is not the account');
  });
  t.test('takeover: a record has no password staff could set', async (t) => {
    const { attacker, record } = await givenTakeover(t);
    const password = await call(app, 'PATCH', `/api/v1/clients/${record}/password`, { token: attacker.token, body: { password: 'attacker-password' } });
    t.equal(password.status, 403, 'a record has no password staff could set');
    t.same(password.body, FORBIDDEN);
  });
  t.test('takeover: the account does not exist for staff', async (t) => {
    const { victim, attacker } = await givenTakeover(t);
    for (const [url, body] of [[`/api/v1/clients/${victim.id}/password`, { password: 'attacker-password' }], [`/api/v1/clients/${victim.id}/phone_number`, { phone_number: uniquePhone() }], [`/api/v1/clients/${victim.id}`, { first_name: 'Owned' }]] as const) {
      const reply = await call(app, 'PATCH', url, { token: attacker.token, body });
      t.equal(reply.status, 404, `PATCH ${url.replace(victim.id, '{account}')}: the account does not exist for staff`);
      t.same(reply.body, NOT_FOUND);
    }
  });
  t.test('takeover: staff change their record’s contact phone; it signs nobody in, and the victim’s account is untouched', async (t) => {
    const { victim, attacker, record } = await givenTakeover(t);
    const written = uniquePhone();
    const contact = await call(app, 'PATCH', `/api/v1/clients/${record}/phone_number`, { token: attacker.token, body: { phone_number: written } });
    t.equal(contact.status, 200, 'staff may change their record’s contact phone');
    t.equal(contact.body.phone, written);
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: victim.phone, password: 'attacker-password' } })).status, 401, 'the attacker cannot sign in as the victim');
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: written, password: 'attacker-password' } })).status, 401, 'nor by the number they wrote');
    t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: victim.token })).status, 200, 'the victim’s session still works');
    t.ok(await signIn(runtime, victim.phone, PASSWORD), 'the victim still signs in with their own password');
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: victim.token });
    t.same(me.body.organizations, [], 'the victim was joined to nothing');
    t.same(await streamTypes(runtime, clientStream(victim.id)), ['ClientRegistered', 'PhoneVerificationRequested', 'PhoneVerified'], 'nothing the attacker did touched the account');
  });

  /** Anna linked A's record (sharing her first name); A noted and looked at it; B then added her phone as its own record. */
  const givenTwoOrganizations = async (t: Test) => {
    const client = await person(runtime, uniquePhone(), { first_name: 'Anna' });
    const ownerA = await staff('owner-a');
    const ownerB = await staff('owner-b');
    const a = await organizationOf(runtime, ownerA, 'A');
    const b = await organizationOf(runtime, ownerB, 'B');
    const recordA = await addRecord(runtime, a, ownerA.token, { first_name: 'Anna', phone: client.phone, additional_info: 'A: allergic to penicillin', links: { a: 'secret-a' } });
    await acceptRecord(runtime, client, recordA, ['first_name']);
    t.equal((await call(app, 'PATCH', `/api/v1/clients/${recordA}`, { token: ownerA.token, body: { address: 'A: 1 Hidden street' } })).status, 200);
    t.equal((await call(app, 'GET', `/api/v1/clients/${recordA}/history`, { token: ownerA.token })).status, 200);
    const addedByB = await call(app, 'POST', `/api/v1/organizations/${b}/clients`, { token: ownerB.token, body: { first_name: 'Anna B', phone: client.phone } });
    t.equal(addedByB.status, 201);
    return { client, ownerA, ownerB, a, b, recordA, addedByB, recordB: addedByB.body.id as string };
  };

  t.test('cross-organization: B’s reply on adding holds nothing of A or the account', async (t) => {
    const { client, ownerA, a, recordA, addedByB } = await givenTwoOrganizations(t);
    const seenByB = JSON.stringify(addedByB.body);
    for (const secret of ['penicillin', 'secret-a', 'Hidden street', recordA, a, ownerA.id, client.id]) t.notOk(seenByB.includes(secret), `B's reply holds nothing of A or the account (${secret.slice(0, 12)})`);
  });
  t.test('cross-organization: B reads neither A’s record, nor its history, nor the account', async (t) => {
    const { client, ownerB, recordA } = await givenTwoOrganizations(t);
    t.same((await call(app, 'GET', `/api/v1/clients/${recordA}`, { token: ownerB.token })).body, NOT_FOUND, 'B cannot read A’s record');
    t.same((await call(app, 'GET', `/api/v1/clients/${recordA}/history`, { token: ownerB.token })).body, NOT_FOUND, 'nor its history');
    t.same((await call(app, 'GET', `/api/v1/clients/${client.id}`, { token: ownerB.token })).body, NOT_FOUND, 'nor the account');
  });
  t.test('cross-organization: each history shows its own record and its own looks only', async (t) => {
    const { client, ownerA, ownerB, recordA, recordB } = await givenTwoOrganizations(t);
    t.equal((await call(app, 'GET', `/api/v1/clients/${recordA}/history`, { token: ownerB.token })).status, 404);
    t.equal((await call(app, 'GET', `/api/v1/clients/${recordB}/history`, { token: ownerB.token })).status, 200);
    const historyB = await call(app, 'GET', `/api/v1/clients/${recordB}/history`, { token: ownerB.token });
    t.equal(historyB.status, 200);
    const textB = JSON.stringify(historyB.body);
    for (const secret of ['penicillin', 'Hidden street', ownerA.id, recordA]) t.notOk(textB.includes(secret), 'B’s history shows nothing of A');
    t.same(historyB.body.items.map((e: { sequence: number }) => e.sequence), historyB.body.items.map((_: unknown, i: number) => i + 1), 'numbered 1..n: no gaps');
    t.same(historyB.body.items.map((e: { type: string }) => e.type), ['ClientRecordOpened', 'ClientRecordHistoryViewed', 'ClientRecordHistoryViewed'], 'its own record and its own looks only');
    const historyA = await call(app, 'GET', `/api/v1/clients/${recordA}/history`, { token: ownerA.token });
    const actorsA = historyA.body.items.map((e: { actor: { id: string | null } }) => e.actor.id);
    t.notOk(actorsA.includes(ownerB.id), 'A does not see B’s looks');
    t.notOk(JSON.stringify(historyA.body).includes(client.id), 'A does not learn the person’s account id, even linked');
    t.ok(actorsA.includes(ownerA.id), 'A sees its own staff');
  });
  t.test('cross-organization: as_of shows B’s record, not A’s notes', async (t) => {
    const { ownerB, recordB } = await givenTwoOrganizations(t);
    const asOfB = await call(app, 'GET', `/api/v1/clients/${recordB}/history?as_of=${encodeURIComponent(new Date().toISOString())}`, { token: ownerB.token });
    t.equal(asOfB.status, 200);
    t.equal(asOfB.body.profile.additional_info, '', 'as_of shows B’s record, not A’s notes');
  });
  t.test('cross-organization: linked, A sees what the person shares, and nothing they did not', async (t) => {
    const { ownerA, recordA } = await givenTwoOrganizations(t);
    const viewA = await call(app, 'GET', `/api/v1/clients/${recordA}`, { token: ownerA.token });
    t.match(viewA.body, { linked: true, shared: { first_name: 'Anna' }, additional_info: 'A: allergic to penicillin' }, 'linked, A sees what the person shares');
    t.notOk('phone_number' in viewA.body.shared || 'phone' in viewA.body.shared, 'and nothing they did not share');
  });
  t.test('cross-organization: the person sees their own history, not the clinics’ notes', async (t) => {
    const { client } = await givenTwoOrganizations(t);
    const mine = await call(app, 'GET', `/api/v1/clients/${client.id}/history`, { token: client.token });
    t.equal(mine.status, 200, 'the person sees their own history');
    t.notOk(JSON.stringify(mine.body).includes('penicillin'), 'which is their account, not the clinics’ notes');
  });
  t.test('a person with records in two organizations sees both; each organization only its own', async (t) => {
    const client = await person(runtime, '+79510000003');
    const ownerA = await staffMember(runtime, 'owner@a.example');
    const ownerB = await staffMember(runtime, 'owner@b.example');
    const a = await organizationOf(runtime, ownerA, 'A');
    const b = await organizationOf(runtime, ownerB, 'B');
    const recordA = await addRecord(runtime, a, ownerA.token, { first_name: 'X', phone: client.phone });
    const recordB = await addRecord(runtime, b, ownerB.token, { first_name: 'Y', phone: client.phone });
    await addRecord(runtime, a, ownerA.token, { first_name: 'Someone else', phone: '+79510000077' });

    const offers = await call(app, 'GET', '/api/v1/clients/me/links', { token: client.token });
    t.same(offers.body.items.map((l: { record_id: string; status: string }) => [l.record_id, l.status]).sort(), [[recordA, 'offered'], [recordB, 'offered']].sort(), 'records naming the verified phone are offered, no others');
    await acceptRecord(runtime, client, recordA);
    await acceptRecord(runtime, client, recordB);
    const linked = await call(app, 'GET', '/api/v1/clients/me/links', { token: client.token });
    t.same(linked.body.items.map((l: { organization: { name: string }; status: string }) => `${l.organization.name}:${l.status}`).sort(), ['A:linked', 'B:linked']);
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: client.token });
    t.same(me.body.organizations.map((o: { name: string }) => o.name).sort(), ['A', 'B']);

    const listA = await call(app, 'GET', `/api/v1/organizations/${a}/clients`, { token: ownerA.token });
    t.same(listA.body.items.map((r: { id: string }) => r.id).includes(recordB), false, 'A lists its records only');
    t.equal((await call(app, 'GET', `/api/v1/clients/${recordB}`, { token: ownerA.token })).status, 404);
    t.equal((await call(app, 'GET', `/api/v1/clients/${recordA}`, { token: client.token })).status, 404, 'the person reaches their records through their links, not by id');

    t.equal((await call(app, 'DELETE', `/api/v1/clients/me/links/${recordB}`, { token: client.token })).status, 204, 'the person unlinks');
    t.equal((await call(app, 'GET', `/api/v1/clients/${recordB}`, { token: ownerB.token })).body.linked, false);
    t.equal((await call(app, 'DELETE', `/api/v1/clients/${recordA}/link`, { token: ownerA.token })).status, 204, 'the organization unlinks');
    t.same((await call(app, 'GET', '/api/v1/clients/me', { token: client.token })).body.organizations, []);
    t.equal((await call(app, 'DELETE', `/api/v1/clients/${recordA}/link`, { token: ownerB.token })).status, 404, 'another organization cannot');
  });

  t.test('20 parallel attempts to link one record make exactly one link', async (t) => {
    const client = await person(runtime, '+79510000004');
    const owner = await staffMember(runtime, 'owner@a.example');
    const org = await organizationOf(runtime, owner, 'A');
    const record = await addRecord(runtime, org, owner.token, { first_name: 'X', phone: client.phone });
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(runtime.app, 'POST', `/api/v1/clients/me/links/${record}/accept`, { token: client.token, body: {} })));
    t.same([...new Set(replies.map((r) => r.status))], [200], 'every attempt sees the link');
    t.equal((await streamTypes(runtime, clientRecordStream(record))).filter((type) => type === 'ClientRecordLinked').length, 1, 'one link on the record');
    t.equal((await streamTypes(runtime, clientStream(client.id))).filter((type) => type === 'ClientLinkedToRecord').length, 1, 'one on the account');
  });

  t.test('a record not offered to you cannot be linked, and an unverified account links nothing', async (t) => {
    const client = await person(runtime, '+79510000005');
    const owner = await staffMember(runtime, 'owner@a.example');
    const org = await organizationOf(runtime, owner, 'A');
    const elses = await addRecord(runtime, org, owner.token, { first_name: 'Else', phone: '+79510000055' });
    // The runtime is shared: "nothing" is nothing on the two streams a link would touch.
    const streams = async () => [await streamTypes(runtime, clientRecordStream(elses)), await streamTypes(runtime, clientStream(client.id))];
    const before = await streams();
    const refused = await call(app, 'POST', `/api/v1/clients/me/links/${elses}/accept`, { token: client.token, body: {} });
    t.equal(refused.status, 404, 'a record naming another phone is not yours to link');
    t.same(await streams(), before, 'and nothing was appended');
  });

  t.test('squatting: an unverified registration gives no rights and does not stop the phone’s owner', async (t) => {
    const phone = '+79510000006';
    const squat = await call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: 'squatter-password' } });
    t.equal(squat.status, 201);
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'squatter-password' } })).status, 401, 'no password login before the phone is verified');
    const from = runtime.logs.length;
    const loginCode = await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone } });
    t.equal(loginCode.status, 200, 'the same answer as for any phone');

    const owner = await staffMember(runtime, 'owner@clinic.example');
    const org = await organizationOf(runtime, owner, 'Clinic');
    const record = await addRecord(runtime, org, owner.token, { first_name: 'Real', phone });
    t.equal((await call(app, 'GET', `/api/v1/clients/${record}`, { token: owner.token })).body.linked, false, 'the clinic’s client is joined to nobody');

    // The squatter's registration sent a code: the cap every code path shares holds the next one for the cooldown.
    t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: 'owner-password' } })).status, 429, 'a code was just sent to this phone');
    clock += 61_000;
    const real = await person(runtime, phone, { first_name: 'Real' });
    t.not(real.id, squat.body.client_id, 'the real owner registered anyway, and owns the phone once verified');
    const smsToSquatter = runtime.logs.slice(from).filter((line) => line.includes('login code') && line.includes(phone));
    t.same(smsToSquatter, [], 'no login code was sent for an unverified phone');
    const offers = await call(app, 'GET', '/api/v1/clients/me/links', { token: real.token });
    t.same(offers.body.items.map((l: { record_id: string }) => l.record_id), [record], 'the clinic’s record is offered to the owner');
    const again = await call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: 'squatter-password' } });
    t.equal(again.status, 409, 'a verified phone is taken');
  });

  t.test('codes are bound to their destination: a login code for P1 opens nothing once the account moved to P2', async (t) => {
    const client = await person(runtime, '+79510000007');
    const from = runtime.logs.length;
    t.equal((await call(app, 'POST', '/api/v1/auth/login/code', { body: { phone: client.phone } })).status, 200);
    const code = await smsCode(runtime, client.phone, from);
    const moved = await call(app, 'PATCH', `/api/v1/clients/${client.id}/phone_number`, { token: client.token, body: { phone_number: '+79510000008', current_password: PASSWORD } });
    t.equal(moved.status, 200);
    t.equal(moved.body.confirmed_phone, false);
    const withOld = await call(app, 'POST', '/api/v1/auth/login/verify', { body: { phone: client.phone, code } });
    t.equal(withOld.status, 400, 'the code no longer opens the account');
    const onNew = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: '+79510000008', code } });
    t.equal(onNew.status, 400, 'nor verifies the new number');
    const me = await call(app, 'GET', '/api/v1/clients/me', { token: client.token });
    t.equal(me.body.confirmed_phone, false, 'the new number stays unverified');
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79510000008', password: PASSWORD } })).status, 401, 'and gives no password login');
  });

  t.test('sensitive changes need re-authentication: a token alone changes neither password nor phone', async (t) => {
    const client = await person(runtime, '+79510000009');
    const stream = clientStream(client.id);
    const before = await streamTypes(runtime, stream);
    for (const [url, body] of [[`/api/v1/clients/${client.id}/password`, { password: 'stolen-token-password' }], [`/api/v1/clients/${client.id}/phone_number`, { phone_number: '+79510000010' }], [`/api/v1/clients/${client.id}`, { password: 'stolen-token-password' }]] as const) {
      const bare = await call(app, 'PATCH', url, { token: client.token, body });
      t.equal(bare.status, 400, `${url}: no proof`);
      t.ok(bare.body.errors.current_password, 'asks for the current password or a code');
      const wrong = await call(app, 'PATCH', url, { token: client.token, body: { ...body, current_password: 'not-my-password' } });
      t.equal(wrong.status, 400, 'a wrong password');
      t.same(wrong.body.errors, { current_password: ['The password is not correct.'] });
    }
    t.same(await streamTypes(runtime, stream), before, 'nothing was appended');
    t.ok(await signIn(runtime, client.phone), 'the old password still works');

    const name = await call(app, 'PATCH', `/api/v1/clients/${client.id}/full_name`, { token: client.token, body: { first_name: 'Anna' } });
    t.equal(name.status, 200, 'the name needs no re-authentication');

    const from = runtime.logs.length;
    const sent = await call(app, 'POST', '/api/v1/auth/reauthenticate', { token: client.token });
    t.equal(sent.status, 202);
    const code = await smsCode(runtime, client.phone, from);
    const withCode = await call(app, 'PATCH', `/api/v1/clients/${client.id}/password`, { token: client.token, body: { password: 'new-password-1', code } });
    t.equal(withCode.status, 200, 'a code sent to the verified phone re-authenticates');
    const token = await signIn(runtime, client.phone, 'new-password-1');
    const withPassword = await call(app, 'PATCH', `/api/v1/clients/${client.id}/password`, { token, body: { password: 'new-password-2', current_password: 'new-password-1' } });
    t.equal(withPassword.status, 200, 'so does the current password');
    t.ok(await signIn(runtime, client.phone, 'new-password-2'));
  });

  t.test('seed 000: staff give a new account its first password only when no account names the phone; it still verifies', async (t) => {
    const owner = await staffMember(runtime, 'owner@clinic.example');
    const org = await organizationOf(runtime, owner, 'Clinic');
    const phone = '+79510000011';
    await addRecord(runtime, org, owner.token, { first_name: 'New', phone, password: 'clinic-given-1' });
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'clinic-given-1' } })).status, 401, 'not before the phone is verified');
    await addRecord(runtime, org, owner.token, { first_name: 'New', phone, password: 'clinic-given-2' });

    const from = runtime.logs.length;
    t.equal((await call(app, 'POST', '/api/v1/auth/phone/resend', { body: { phone } })).status, 202);
    const code = await smsCode(runtime, phone, from);
    t.equal((await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } })).status, 200, 'the phone’s owner verifies it');
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'clinic-given-1' } })).status, 200, 'then the first password signs in');
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'clinic-given-2' } })).status, 401, 'a second clinic’s password changed nothing');
  });

  t.test('a platform admin changes a person’s account only with a reason, which is recorded', async (t) => {
    const client = await person(runtime, '+79510000012');
    const admin = await staffMember(runtime, 'root@platform.example');
    const granted = await runtime.deps.handle(userDecider, userStream(admin.id), { type: 'GrantPlatformAdmin', data: { userId: admin.id, now: new Date().toISOString() } }, { actor: { kind: 'system' }, correlationId: 'test', causationId: 'test' });
    await runtime.deps.awaitProjections(granted.position, ['users']);

    const before = await streamTypes(runtime, clientStream(client.id));
    const silent = await call(app, 'PATCH', `/api/v1/clients/${client.id}/full_name`, { token: admin.token, body: { first_name: 'Changed' } });
    t.equal(silent.status, 400, 'no reason, no change');
    t.ok(silent.body.errors.reason);
    t.same(await streamTypes(runtime, clientStream(client.id)), before);

    const reasoned = await call(app, 'PATCH', `/api/v1/clients/${client.id}/full_name`, { token: admin.token, body: { first_name: 'Changed', reason: 'Verified request #42 by phone' } });
    t.equal(reasoned.status, 200);
    const last = (await runtime.store.readStream(clientStream(client.id))).at(-1)!;
    t.equal(last.type, 'ClientProfileChanged');
    t.same({ actor: last.metadata.actor, reason: last.metadata.reason }, { actor: { kind: 'user', id: admin.id }, reason: 'Verified request #42 by phone' }, 'who and why are in the log');
  });
});
