import t from 'tap';
import { eventCount } from '../helpers/clients.js';
import { send, type Example } from '../helpers/compat.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { client, clinic } from '../helpers/scheduling.js';
import { addMember, STAFF_PASSWORD, staffMember } from '../helpers/staff.js';

// Seed 002 against the trust model: a clinic's workers, places and hours are
// its own (another clinic's admin gets 404 and changes nothing), a clinic is
// named only by its members, a member of two clinics names the one they act
// in, bad input is a DRF 400 that changes nothing, and the form login is
// /api/v1's login (its lockout, its tokens, its rule on unverified phones).

const P = '/compat/002/api/v1';
const NOT_FOUND = { detail: 'Not found.' };
const BOUNDARY = 'seed002-trust-boundary';
const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

t.test('seed 002 trust', async (t) => {
  const runtime = await startRuntime(t, { now: () => new Date('2026-06-01T06:00:00Z') });
  const { app } = runtime;
  let phones = 0;
  const phone = () => `+7951003${String(++phones).padStart(4, '0')}`;

  /** Clinic `name` with one worker and one place, made by its owner through seed 002. */
  async function clinicWithStaff(name: string) {
    const c = await clinic(runtime, name);
    const worker = await call(app, 'POST', `${P}/workers/`, { token: c.owner.token, body: { name: `Dr. ${name}`, phone: '+79510039999' } });
    const place = await call(app, 'POST', `${P}/places/`, { token: c.owner.token, body: { name: `Room of ${name}` } });
    if (worker.status !== 201 || place.status !== 201) throw new Error(`${name}: ${worker.status} ${place.status}`);
    return { ...c, worker: worker.body.id as string, place: place.body.id as string };
  }

  t.test('an admin of clinic B neither reads, changes nor deletes clinic A’s workers, places or hours (404, nothing appended)', async (t) => {
    const a = await clinicWithStaff('Alpha');
    const b = await clinicWithStaff('Beta');
    const token = b.owner.token;
    const before = await eventCount(runtime);
    const attacks = [
      { method: 'PUT', url: `${P}/workers/${a.worker}/`, body: { name: 'Taken over' } },
      { method: 'DELETE', url: `${P}/workers/${a.worker}/` },
      { method: 'PUT', url: `${P}/workers/${a.worker}/working-hours/`, body: { time_zone: 'Europe/Moscow', weekly: [] } },
      { method: 'GET', url: `${P}/places/${a.place}/` },
      { method: 'PUT', url: `${P}/places/${a.place}/`, body: { name: 'Taken over' } },
      { method: 'DELETE', url: `${P}/places/${a.place}/` },
    ] as const;
    for (const attack of attacks) {
      const answer = await send(app, { ...attack, token });
      t.same([answer.status, answer.body], [404, NOT_FOUND], `${attack.method} ${attack.url.slice(P.length)}: 404`);
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.match((await call(app, 'GET', `${P}/workers/${a.worker}/`)).body, { name: 'Dr. Alpha' }, 'A’s worker is as it was');
    t.match((await call(app, 'GET', `${P}/places/${a.place}/`, { token: a.owner.token })).body, { name: 'Room of Alpha' }, 'so is A’s place');
    t.notOk('phone' in (await call(app, 'GET', `${P}/workers/${a.worker}/`, { token })).body, 'B’s admin does not see the phone of A’s worker');
    t.equal((await call(app, 'GET', `${P}/workers/${a.worker}/`, { token: a.manager.token })).body.phone, '+79510039999', 'A’s staff do');
  });

  t.test('naming a clinic one is not in is a 404, and changes nothing', async (t) => {
    const a = await clinicWithStaff('Gamma');
    const b = await clinic(runtime, 'Delta');
    const before = await eventCount(runtime);
    for (const attack of [
      { method: 'POST', url: `${P}/workers/`, body: { name: 'Planted', organization: a.org } },
      { method: 'POST', url: `${P}/places/`, body: { name: 'Planted', organization: a.org } },
      { method: 'GET', url: `${P}/places/?organization=${a.org}` },
    ] as const) {
      const answer = await send(app, { ...attack, token: b.owner.token });
      t.same([answer.status, answer.body], [404, NOT_FOUND], `${attack.method} ${attack.url.slice(P.length)} naming A: 404`);
    }
    t.same((await call(app, 'GET', `${P}/workers/?organization=${b.org.replace(/.$/, (d) => (d === '0' ? '1' : '0'))}`)).body, NOT_FOUND, 'the public list of a clinic that does not exist: 404');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    t.equal((await call(app, 'GET', `${P}/workers/?organization=${a.org}`)).body.length, 1, 'A still has one worker');
  });

  t.test('a member of two clinics names the one they act in: naming none is a 400 naming `organization`', async (t) => {
    const a = await clinic(runtime, 'Epsilon');
    const b = await clinic(runtime, 'Zeta');
    await addMember(runtime, b.org, b.owner, a.owner, 'admin');
    const before = await eventCount(runtime);
    const required = { organization: ['This field is required.'] };
    const added = await send(app, { method: 'POST', url: `${P}/workers/`, body: { name: 'Dr. Nowhere' }, token: a.owner.token });
    t.same([added.status, added.body], [400, required], 'POST workers/');
    const listed = await send(app, { method: 'GET', url: `${P}/places/`, token: a.owner.token });
    t.same([listed.status, listed.body], [400, required], 'GET places/');
    t.equal(await eventCount(runtime), before, 'nothing appended');
    const named = await call(app, 'POST', `${P}/workers/`, { token: a.owner.token, body: { name: 'Dr. Somewhere', organization: b.org } });
    t.match(named, { status: 201, body: { organization: b.org } }, 'naming one, they act in it');
    // A manager holds no role that may add a worker anywhere: the seed's 403, as when they name their clinic.
    const manager = await send(app, { method: 'POST', url: `${P}/workers/`, body: { name: 'Dr. Nowhere' }, token: a.manager.token });
    t.same([manager.status, manager.body], [403, { detail: 'You do not have permission to perform this action.' }], 'a manager naming none is refused as the seed refuses them');
  });

  t.test('bad input is a DRF 400 (never a 5xx) and appends nothing', async (t) => {
    const c = await clinicWithStaff('Eta');
    const token = c.owner.token;
    const before = await eventCount(runtime);
    const cases: (Omit<Example, 'status'> & { status: number; expected?: unknown })[] = [
      { name: 'no name', method: 'POST', url: `${P}/workers/`, body: { specialty: 'x' }, status: 400, expected: { name: ['This field is required.'] } },
      { name: 'blank name', method: 'POST', url: `${P}/workers/`, body: { name: '' }, status: 400, expected: { name: ['This field may not be blank.'] } },
      { name: 'a malformed phone', method: 'POST', url: `${P}/workers/`, body: { name: 'X', phone: 'call me' }, status: 400, expected: { phone: ['Enter a valid phone number.', 'Must be of type null.'] } },
      { name: 'a malformed clinic', method: 'POST', url: `${P}/places/`, body: { name: 'X', organization: '42' }, status: 400, expected: { organization: ['Must be a valid UUID.'] } },
      { name: 'moving a worker to another clinic', method: 'PUT', url: `${P}/workers/${c.worker}/`, body: { name: 'X', organization: '00000000-0000-4000-8000-000000000000' }, status: 400, expected: { organization: ['A worker stays in its clinic.'] } },
      { name: 'a malformed worker id', method: 'GET', url: `${P}/workers/42/`, status: 400, expected: { id: ['Must be a valid UUID.'] } },
      { name: 'hours out of the clock', method: 'PUT', url: `${P}/workers/${c.worker}/working-hours/`, body: { time_zone: 'Europe/Moscow', weekly: [{ weekday: 1, start: '25:00', end: '26:00' }] }, status: 400 },
      { name: 'a schedule of no date', method: 'GET', url: `${P}/workers/${c.worker}/schedule/?date=2026-13-45`, status: 400, expected: { date: ['Date has wrong format. Use YYYY-MM-DD.'] } },
      { name: 'a worker as a form', method: 'POST', url: `${P}/workers/`, ...form({ name: 'X' }), status: 415 },
      { name: 'a body that is not JSON', method: 'POST', url: `${P}/places/`, body: '{"name":', headers: { 'content-type': 'application/json' }, status: 400 },
      { name: 'a login without its password', method: 'POST', url: `${P}/workers/login/`, ...form({ username: 'someone@example.org' }), status: 400, expected: { password: ['This field is required.'] } },
      { name: 'a login as text', method: 'POST', url: `${P}/workers/login/`, body: 'username=a&password=b', headers: { 'content-type': 'text/plain' }, status: 415 },
      {
        name: 'a login form cut short', method: 'POST', url: `${P}/workers/login/`, status: 400, expected: { detail: 'The form data could not be read.' },
        body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="username"\r\n\r\nx`,
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      },
      {
        name: 'a login with a file in it', method: 'POST', url: `${P}/workers/login/`, status: 413,
        body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="username"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      },
    ];
    for (const { name, status, expected, ...request } of cases) {
      const answer = await send(app, { ...request, token });
      t.equal(answer.status, status, `${name}: ${status} (${JSON.stringify(answer.body)})`);
      // DRF's two forms: fields at the top level with their messages, or a detail.
      if (expected) t.same(answer.body, expected, `${name}: in DRF's words`);
      else t.ok(typeof answer.body.detail === 'string' || Object.values(answer.body).every(Array.isArray), `${name}: in DRF's format`);
    }
    t.equal(await eventCount(runtime), before, 'nothing appended');
  });

  t.test('the form login is /api/v1’s: a client’s verified phone, the tokens both ways, one lockout, no unverified phone', async (t) => {
    const person = await client(runtime, phone());
    const byPhone = await send(app, { method: 'POST', url: `${P}/workers/login/`, ...form({ username: person.phone, password: 'client1client1' }) });
    t.equal(byPhone.status, 200, 'a client signs in with their phone');
    t.equal((await call(app, 'GET', '/api/v1/clients/me', { token: byPhone.body.access })).status, 200, 'as the client, on /api/v1');
    t.equal((await call(app, 'POST', `${P}/places/`, { token: byPhone.body.access, body: { name: 'X' } })).status, 403, 'with no staff rights');

    const theta = await clinic(runtime, 'Theta');
    const v1 = await call(app, 'POST', '/api/v1/auth/token', { body: { email: theta.owner.email, password: STAFF_PASSWORD } });
    t.equal((await call(app, 'POST', `${P}/places/`, { token: v1.body.access, body: { name: 'Room' } })).status, 201, 'a /api/v1 token is an admin’s here');

    const staff = await staffMember(runtime, 'locked@seed-002.example');
    for (let i = 0; i < 5; i++) {
      const wrong = await send(app, { method: 'POST', url: `${P}/workers/login/`, ...form({ username: staff.email.toUpperCase(), password: `wrong-${i}` }) });
      t.same([wrong.status, wrong.body], [401, { detail: 'No active account found with the given credentials' }], `wrong password ${i + 1}: 401`);
    }
    t.equal((await call(app, 'POST', '/api/v1/auth/token', { body: { email: staff.email, password: STAFF_PASSWORD } })).status, 429, 'the lockout holds on /api/v1');
    t.equal((await send(app, { method: 'POST', url: `${P}/workers/login/`, ...form({ username: staff.email, password: STAFF_PASSWORD }) })).status, 429, 'and here');

    const unverified = phone();
    t.equal((await call(app, 'POST', '/api/v1/auth/register', { body: { phone: unverified, password: 'client1client1' } })).status, 201);
    const refused = await send(app, { method: 'POST', url: `${P}/workers/login/`, ...form({ username: unverified, password: 'client1client1' }) });
    t.same([refused.status, refused.body], [401, { detail: 'No active account found with the given credentials' }], 'an unverified phone opens nothing');
  });
});
