import t from 'tap';
import { conform, type Example } from '../helpers/compat.js';
import { uniqueEmail } from '../helpers/api-spec.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { addMember, emailCode, organizationOf, staffMember } from '../helpers/staff.js';

// Seed 003 (the Users API) as its document shows it: every request and
// response example, in document order, against one runtime. Ids and times
// in shapes are placeholders of our JSON types (ids are UUID strings,
// `expired_at` is a number of seconds).

const BASE = '/compat/003/users';

/** The document's registration input. */
const registration = {
  surname: 'user1',
  name: 'user1@gmail.com',
  patronymic: 'user1',
  address: 'user1address',
  email: 'user1@gmail.com',
  number: '+79967348137',
  password: 'user1user1',
};
const { password: _password, ...registered } = registration;

/** The document's PATCH input. */
const change = {
  surname: 'user1',
  name: 'user1Changed@gmail.com',
  patronymic: 'user1Changed',
  address: 'user1Changedaddress',
  email: 'user1Changed@gmail.com',
  number: '+79967348130',
  password: 'user1user1Changed',
};

const tokensShape = { refresh: 'refresh', access: 'access', expired_at: 0 };
const profileShape = {
  id: 'uuid', surname: 'user1', name: 'user1@gmail.com', patronymic: 'user1', address: 'user1address', email: 'user1@gmail.com', number: '+79967348137',
  confirmed_email: false, confirmed_number: false, created_at: 'time', updated_at: 'time',
};

t.test('seed 003, every example of the document', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;

  const created = await conform(t, app, {
    name: 'POST auth/registration/', method: 'POST', url: `${BASE}/auth/registration/`, body: registration,
    status: 201, shape: registered, values: registered,
  });
  t.match(created.body.id, /^[0-9a-f-]{36}$/, 'the registration answers the id too');

  const byEmail = await conform(t, app, {
    name: 'POST auth/token/ by email', method: 'POST', url: `${BASE}/auth/token/`, body: { email: 'user1@gmail.com', password: 'user1user1' },
    status: 200, shape: tokensShape,
  });
  const nowSeconds = Date.now() / 1000;
  t.ok(byEmail.body.expired_at > nowSeconds && byEmail.body.expired_at <= nowSeconds + byEmail.body.expires_in + 5, 'expired_at is the Unix time in seconds when the access token expires');

  await conform(t, app, {
    name: 'POST auth/token/ by number', method: 'POST', url: `${BASE}/auth/token/`, body: { number: '+79967348137', password: 'user1user1' },
    status: 200, shape: tokensShape,
  });

  const refreshed = await conform(t, app, {
    name: 'POST auth/token/refresh', method: 'POST', url: `${BASE}/auth/token/refresh`, body: { refresh: byEmail.body.refresh },
    status: 200, shape: tokensShape,
  });
  t.not(refreshed.body.refresh, byEmail.body.refresh, 'the refresh token is rotated');
  const access = refreshed.body.access as string;

  const profile: Example = { name: 'GET user/ (Bearer)', method: 'GET', url: `${BASE}/user/`, token: access, status: 200, shape: profileShape, values: { ...registered, id: created.body.id } };
  await conform(t, app, profile);
  await conform(t, app, { ...profile, name: 'GET user/ (Token)', token: undefined, headers: { authorization: `Token ${access}` } });

  // The executor example lists one: user1 runs a clinic with one specialist.
  const owner = { id: created.body.id as string, email: 'user1@gmail.com', token: access };
  const organization = await organizationOf(runtime, owner, 'User1 clinic');
  const specialist = await staffMember(runtime, uniqueEmail('Spec'), { first_name: 'Ivan', last_name: 'Sidorov' });
  await addMember(runtime, organization, owner, specialist, 'specialist');
  await conform(t, app, {
    name: 'GET user/executor/', method: 'GET', url: `${BASE}/user/executor/`, token: access,
    status: 200, shape: [{ id: 'uuid' }], values: [{ id: specialist.id, surname: 'Sidorov', name: 'Ivan', organization }],
  });

  // Deviation: a new email, number or password needs the current password (docs/trust-model.md).
  await conform(t, app, {
    name: 'PATCH user/', method: 'PATCH', url: `${BASE}/user/`, token: access, body: { ...change, current_password: 'user1user1' },
    status: 200,
    shape: { success: { Surname: '', Name: '', Patronymic: '' }, error: {} },
    values: {
      success: {
        Surname: 'Surname successfully changed', Name: 'Name successfully changed', Patronymic: 'Patronymic successfully changed',
        Address: 'Address successfully changed', Email: 'Email successfully changed', Number: 'Number successfully changed', Password: 'Password successfully changed',
      },
      error: {},
    },
  });
  // The new password ended every session: user1 signs in again with it.
  const again = await call(app, 'POST', `${BASE}/auth/token/`, { body: { email: change.email, password: change.password } });
  t.equal(again.status, 200, 'the new password signs in');
  const changedAccess = again.body.access as string;
  const changedProfile = await call(app, 'GET', `${BASE}/user/`, { token: changedAccess });
  t.match(changedProfile.body, { surname: 'user1', name: change.name, patronymic: change.patronymic, address: change.address, email: 'user1changed@gmail.com', number: change.number });

  // DELETE comes before verify-email in the document: it ends an account of its own.
  const other = await call(app, 'POST', `${BASE}/auth/registration/`, { body: { ...registration, email: 'user2@gmail.com', number: '+79967348131' } });
  const otherToken = (await call(app, 'POST', `${BASE}/auth/token/`, { body: { email: 'user2@gmail.com', password: 'user1user1' } })).body.access as string;
  await conform(t, app, {
    name: 'DELETE user/', method: 'DELETE', url: `${BASE}/user/`, token: otherToken, body: { current_password: 'user1user1' }, status: 200,
  });
  const gone = await call(app, 'POST', `${BASE}/auth/token/`, { body: { email: 'user2@gmail.com', password: 'user1user1' } });
  t.equal(gone.status, 401, `the deleted account ${other.body.id} no longer signs in`);

  const after = runtime.logs.length;
  await conform(t, app, { name: 'POST verify-email/', method: 'POST', url: `${BASE}/verify-email/`, token: changedAccess, status: 200 });
  const code = await emailCode(runtime, 'user1changed@gmail.com', after);
  await conform(t, app, {
    name: 'POST accept-email/ (the code as a JSON number)', method: 'POST', url: `${BASE}/accept-email/`, token: changedAccess, body: { code: Number(code) },
    status: 200, shape: { detail: '' }, values: { detail: 'Successfully confirmed' },
  });
  const confirmed = await call(app, 'GET', `${BASE}/user/`, { token: changedAccess });
  t.equal(confirmed.body.confirmed_email, true, 'the email is confirmed');
});
