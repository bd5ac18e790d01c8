import t from 'tap';
import { conform, type Example } from '../helpers/compat.js';
import { call, smsCode, startRuntime } from '../helpers/runtime.js';
import { book, clinic, everyDay, linkedRecord, place, rub, specialist } from '../helpers/scheduling.js';

// Seed 001 ("Функционал клиента"): every request and response example of the
// document, written here as it stands, replayed in document order against
// the profile under /compat/001/api/v1. One person, registered by the
// document's own example, walks through it; their sessions are booked by a
// clinic's manager through /api/v1.

const BASE = '/compat/001/api/v1';
const FORBIDDEN = 'You do not have permission to perform this action.';

// The document's examples. Its ids (and its invalid UUIDs in the sessions) are
// shapes only: the answer carries ours. "phone" is written "+79092479999"" there.
const DOC = {
  register: {
    request: {
      first_name: 'имя',
      last_name: 'фамилия',
      email: 'pochta@mail.ru',
      password: 'парольчикб',
      phone: '+79092479999',
      additional_info: 'я люблю собак',
      birthday: '2004-10-08',
      sex: 'женщина',
    },
    response: { client_id: '7febf16f-651b-43b0-a5e3-0da8da49e90d' },
  },
  profile: {
    request: { client_id: '7febf16f-651b-43b0-a5e3-0da8da49e90d' },
    response: {
      first_name: 'имя',
      last_name: 'фамилия',
      email: 'pochta@mail.ru',
      registration_date: '2024-02-25 03:14:07',
      phone: '+79092479999',
      additional_info: 'я люблю собак',
      birthday: '2004-10-08',
      sex: 'женщина',
    },
  },
  update: { request: { first_name: 'теперь-меня-зовут-олег', additional_info: 'я люблю людей' }, response: { client_id: '7febf16f-651b-43b0-a5e3-0da8da49e90d' } },
  fullName: { request: { first_name: 'null', last_name: 'я-вышла-замуж' } },
  password: { request: { password: 'паучикапау' } },
  phone: { request: { phone_number: '89092479999' } },
  additionalInfo: { request: { additional_info: 'я больше не люблю собак' } },
  sessions: {
    request: {},
    response: [
      { session_id: 'a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p', spot_id: '2a3b4c5d-6e7f-8g9h-0i1j-2k3l4m5n6o7', status: 'проведена', cost: 3000.0 },
      { session_id: 'b2c3d4e5-f6g7-h8i9-j0k1-l2m3n4o5p6q', spot_id: '2a3b4c5d-6e7f-8g9h-0i1j-2k3l4m5n6o7', status: 'на согласовании', cost: 5000.0 },
    ],
  },
};

/** The document's "{ 200 - OK }" answers, as the profile gives them: the id of the client changed. */
const OK = { client_id: 'uuid' };
const { registration_date: _shown, ...PROFILE_VALUES } = DOC.profile.response;

t.test('seed 001, every example of the document in order', async (t) => {
  const runtime = await startRuntime(t, { now: () => new Date('2026-06-01T06:00:00Z') });
  const { app } = runtime;
  const run = (example: Example) => conform(t, app, example);

  const registered = await run({ name: 'POST api/v1/clients', method: 'POST', url: `${BASE}/clients`, body: DOC.register.request, status: 201, shape: DOC.register.response });
  const id = registered.body.client_id as string;
  // As in /api/v1, the phone is proved by the SMS code before the password signs in; the token is /api/v1's.
  const verified = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone: DOC.register.request.phone, code: await smsCode(runtime, '+79092479999') } });
  t.equal(verified.status, 200, 'the phone is verified through /api/v1');
  const signIn = async (password: string) => (await call(app, 'POST', '/api/v1/auth/token', { body: { phone: '+79092479999', password } })).body.access as string;
  let token = await signIn(DOC.register.request.password);
  t.ok(token, 'the document’s password signs in at /api/v1/auth/token');

  const profile = await run({
    name: 'GET api/v1/clients, client_id in the body as the document sends it',
    method: 'GET', url: `${BASE}/clients`, body: { client_id: id }, token, status: 200, shape: DOC.profile.response, values: PROFILE_VALUES,
  });
  t.match(profile.body.registration_date, /^2026-06-01 06:00:00$/, 'registered "2024-02-25 03:14:07"-style, in UTC');
  await run({ name: 'GET api/v1/clients?client_id=', method: 'GET', url: `${BASE}/clients?client_id=${id}`, token, status: 200, shape: DOC.profile.response, values: PROFILE_VALUES });

  await run({ name: 'PATCH api/v1/clients/{client_id}', method: 'PATCH', url: `${BASE}/clients/${id}`, body: DOC.update.request, token, status: 200, shape: DOC.update.response, values: { client_id: id } });
  const read = () => call(app, 'GET', `${BASE}/clients?client_id=${id}`, { token });
  t.match((await read()).body, DOC.update.request, 'the general change is read back');

  await run({ name: 'PATCH .../full_name, "null" leaves the first name', method: 'PATCH', url: `${BASE}/clients/${id}/full_name`, body: DOC.fullName.request, token, status: 200, shape: OK, values: { client_id: id } });
  t.match((await read()).body, { first_name: 'теперь-меня-зовут-олег', last_name: 'я-вышла-замуж' }, 'the first name as it was, the last name changed');

  await run({
    name: 'PATCH .../password with the document’s body alone: refused (re-authentication)',
    method: 'PATCH', url: `${BASE}/clients/${id}/password`, body: DOC.password.request, token, status: 403, values: { detail: FORBIDDEN },
  });
  await run({
    name: 'PATCH .../password with current_password',
    method: 'PATCH', url: `${BASE}/clients/${id}/password`, body: { ...DOC.password.request, current_password: DOC.register.request.password }, token, status: 200, shape: OK,
  });
  token = await signIn(DOC.password.request.password);
  t.ok(token, 'the new password signs in (the change ended every session)');

  await run({
    name: 'POST .../password/check (the check the document asks for)',
    method: 'POST', url: `${BASE}/clients/${id}/password/check`, body: DOC.password.request, token, status: 200, shape: { match: true }, values: { match: true },
  });
  await run({ name: 'POST .../password/check, another password', method: 'POST', url: `${BASE}/clients/${id}/password/check`, body: { password: 'парольчикб' }, token, status: 200, values: { match: false } });

  // 89092479999 is the registered +79092479999 written the Russian national way: the same number, nothing to prove again.
  await run({ name: 'PATCH .../phone_number', method: 'PATCH', url: `${BASE}/clients/${id}/phone_number`, body: DOC.phone.request, token, status: 200, shape: OK });
  t.match((await read()).body, { phone: '+79092479999' }, 'the number, in E.164');

  await run({
    name: 'PATCH .../additional_info', method: 'PATCH', url: `${BASE}/clients/${id}/additional_info`, body: DOC.additionalInfo.request, token, status: 200, shape: OK,
  });
  t.match((await read()).body, DOC.additionalInfo.request);

  // Given: a clinic's record of the person, linked; one session held (3000 roubles) and one awaiting agreement (5000).
  const c = await clinic(runtime, 'Seed 001');
  const room = await place(runtime, c, 'Room');
  const doctor = await specialist(runtime, c, 'Dr Petrova', { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '09:00', end: '18:00', place_id: room }]), min_notice_minutes: 0 });
  const record = await linkedRecord(runtime, c, '+79092479999', token);
  const booked = async (start: string, cost: number) => (await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: record, start, cost: rub(cost) })).body.id as string;
  const held = await booked('2026-06-10T10:00:00+03:00', 300000);
  for (const step of ['confirm', 'complete']) t.equal((await call(app, 'POST', `/api/v1/appointments/${held}/${step}`, { token: c.manager.token })).status, 200, `given: the manager's ${step}`);
  const pending = await booked('2026-06-11T10:00:00+03:00', 500000);

  await run({
    name: 'GET api/v1/clients/{client_id}/sessions',
    method: 'GET', url: `${BASE}/clients/${id}/sessions`, body: DOC.sessions.request, token, status: 200, shape: DOC.sessions.response,
    values: [
      { session_id: held, spot_id: room, status: 'проведена', cost: 3000, currency: 'RUB', start: '2026-06-10T10:00:00+03:00', specialist_id: doctor },
      { session_id: pending, spot_id: room, status: 'на согласовании', cost: 5000, currency: 'RUB' },
    ],
  });
});
