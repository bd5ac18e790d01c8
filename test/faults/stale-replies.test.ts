import t from 'tap';
import { person, PASSWORD } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { clinic, place, recordOf } from '../helpers/scheduling.js';
import { addMember, staffMember } from '../helpers/staff.js';

// With the projector stopped, the read-your-writes wait runs out: a route that
// then answered 200 from the read model would show the state before the change
// as the state after it. Each answers 202 with the id and where to read.

t.test('a change whose read model has not caught up answers 202 with the id and Location, never 200 with the old state', async (t) => {
  const runtime = await startRuntime(t, { env: { READ_YOUR_WRITES_TIMEOUT_MS: '1000' } });
  const { app } = runtime;
  const c = await clinic(runtime, 'Stale Clinic');
  const me = await person(runtime, '+79517586290', { first_name: 'Old' });
  const record = await recordOf(runtime, c, '+79517586291', 'Old');
  const placeId = await place(runtime, c, 'Old room');
  const specialist = await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.owner.token, body: { name: 'Old name' } });
  t.equal(specialist.status, 201);
  const member = await staffMember(runtime, 'member@stale.example');
  await addMember(runtime, c.org, c.owner, member, 'manager');

  await Promise.all(runtime.runners.map((r) => r.stop()));

  const cases: { name: string; method: 'PUT' | 'PATCH'; url: string; token: string; body: Record<string, unknown>; id: string; location: string }[] = [
    { name: 'PATCH /clients/{id}/phone_number', method: 'PATCH', url: `/api/v1/clients/${me.id}/phone_number`, token: me.token, body: { phone_number: '+79517586299', current_password: PASSWORD }, id: me.id, location: `/api/v1/clients/${me.id}` },
    { name: 'PATCH /clients/{own id}', method: 'PATCH', url: `/api/v1/clients/${me.id}`, token: me.token, body: { first_name: 'New' }, id: me.id, location: `/api/v1/clients/${me.id}` },
    { name: 'PUT /clients/{own id}', method: 'PUT', url: `/api/v1/clients/${me.id}`, token: me.token, body: { first_name: 'Newer', phone: me.phone }, id: me.id, location: `/api/v1/clients/${me.id}` },
    { name: 'PATCH /clients/{id}/full_name', method: 'PATCH', url: `/api/v1/clients/${me.id}/full_name`, token: me.token, body: { first_name: 'Newest' }, id: me.id, location: `/api/v1/clients/${me.id}` },
    { name: 'PATCH /clients/{id}/additional_info', method: 'PATCH', url: `/api/v1/clients/${me.id}/additional_info`, token: me.token, body: { additional_info: 'new info' }, id: me.id, location: `/api/v1/clients/${me.id}` },
    { name: 'PATCH /clients/{record} (staff)', method: 'PATCH', url: `/api/v1/clients/${record}`, token: c.owner.token, body: { first_name: 'New' }, id: record, location: `/api/v1/clients/${record}` },
    { name: 'PATCH /places/{id}', method: 'PATCH', url: `/api/v1/places/${placeId}`, token: c.owner.token, body: { name: 'New room' }, id: placeId, location: `/api/v1/places/${placeId}` },
    { name: 'PATCH /specialists/{id}', method: 'PATCH', url: `/api/v1/specialists/${specialist.body.id}`, token: c.owner.token, body: { name: 'New name' }, id: specialist.body.id, location: `/api/v1/specialists/${specialist.body.id}` },
    { name: 'PATCH /organizations/{id}', method: 'PATCH', url: `/api/v1/organizations/${c.org}`, token: c.owner.token, body: { name: 'New Clinic' }, id: c.org, location: `/api/v1/organizations/${c.org}` },
    { name: 'PATCH /organizations/{id}/members/{user}', method: 'PATCH', url: `/api/v1/organizations/${c.org}/members/${member.id}`, token: c.owner.token, body: { role: 'admin' }, id: member.id, location: `/api/v1/organizations/${c.org}/members` },
    // Last: a new password ends every session, this token's included.
    { name: 'PATCH /clients/{id}/password', method: 'PATCH', url: `/api/v1/clients/${me.id}/password`, token: me.token, body: { password: 'a-new-password', current_password: PASSWORD }, id: me.id, location: `/api/v1/clients/${me.id}` },
  ];
  for (const k of cases) {
    const reply = await call(app, k.method, k.url, { token: k.token, body: k.body });
    t.equal(reply.status, 202, `${k.name}: 202`, { body: reply.body });
    t.equal(reply.body.id, k.id, `${k.name}: names the id`);
    t.equal(reply.headers.location, k.location, `${k.name}: says where to read`);
    t.equal(reply.headers['retry-after'], '1');
  }

  // The read models still hold the old state: a 200 from them would have been stale.
  const account = await runtime.connection.db.selectFrom('client_accounts').selectAll().where('id', '=', me.id).executeTakeFirstOrThrow();
  t.match(account, { first_name: 'Old', phone: me.phone }, 'the account as it was');
  t.equal((await call(app, 'GET', `/api/v1/clients/${record}`, { token: c.owner.token })).body.first_name, 'Old');
  t.equal((await call(app, 'GET', `/api/v1/places/${placeId}`, { token: c.owner.token })).body.name, 'Old room');
});
