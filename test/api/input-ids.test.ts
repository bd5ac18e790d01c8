import type { InjectOptions } from 'fastify';
import t, { type Test } from 'tap';
import { API_PREFIX } from '../../src/api/access.js';
import { acceptRecord, addRecord, PASSWORD, person } from '../helpers/clients.js';
import { call, startRuntime } from '../helpers/runtime.js';
import { everyDay } from '../helpers/scheduling.js';
import { addMember, invite, organizationOf, staffMember, verifyEmail } from '../helpers/staff.js';

// Issue 11, "Ids are canonical at the edge": one Uuid schema takes any case
// and gives the handlers lower case. The proof: the same world built twice,
// the same calls made in both, ids in UPPER case in one and in lower case in
// the other; every answer is the same (ids compared by what they name), and
// so is every event appended, in streams named in lower case only (a history
// look at /clients/{UPPER}/history is recorded in the audit stream of the
// lower-case id, not in a `client-audit-BF30...` of its own).
//
// The routes walked are every declared /api/ route whose parameters or body
// name an id (found by the Uuid schema's mark in the OpenAPI document): a
// route without a case below fails the suite.

const CLOCK = new Date('2027-03-01T06:00:00Z');
const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const hours = (place: string) => ({ time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00', place_id: place }]), min_notice_minutes: 0 });

async function world(t: Test) {
  const runtime = await startRuntime(t, { now: () => CLOCK });
  const { app } = runtime;
  const must = async (what: string, reply: Promise<{ status: number; body: Record<string, any> }>) => {
    const done = await reply;
    if (done.status >= 300) throw new Error(`${what}: ${done.status} ${JSON.stringify(done.body)}`);
    return done.body;
  };
  const owner = await staffMember(runtime, 'owner@clinic.example');
  const other = await staffMember(runtime, 'owner@other.example');
  const third = await staffMember(runtime, 'owner@third.example');
  const org = await organizationOf(runtime, owner, 'Clinic');
  const otherOrg = await organizationOf(runtime, other, 'Other');
  const thirdOrg = await organizationOf(runtime, third, 'Third');
  const member = await staffMember(runtime, 'member@clinic.example');
  await addMember(runtime, org, owner, member, 'specialist');
  const leaving = await staffMember(runtime, 'leaving@clinic.example');
  await addMember(runtime, org, owner, leaving, 'specialist');
  await verifyEmail(runtime, owner);
  const pending = await invite(runtime, org, owner, 'pending@clinic.example', 'specialist');
  const toAccept = await invite(runtime, otherOrg, other, owner.email, 'specialist');
  const toDecline = await invite(runtime, thirdOrg, third, owner.email, 'specialist');

  const someone = await person(runtime, '+79517580001', { first_name: 'Pone' });
  const record = await addRecord(runtime, org, owner.token, { first_name: 'Linked', phone: someone.phone });
  await acceptRecord(runtime, someone, record);
  // Offered by another organization (a person links one record per organization).
  const offered = await addRecord(runtime, otherOrg, other.token, { first_name: 'Offered', phone: someone.phone });
  const walkIn = await addRecord(runtime, org, owner.token, { first_name: 'Walk-in', phone: '+79517580002' });

  const newPlace = async (name: string) => (await must('place', call(app, 'POST', `/api/v1/organizations/${org}/places`, { token: owner.token, body: { name } }))).id as string;
  const room = await newPlace('Room 1');
  const spareRoom = await newPlace('Room 2');
  const newSpecialist = async (name: string) => {
    const id = (await must('specialist', call(app, 'POST', `/api/v1/organizations/${org}/specialists`, { token: owner.token, body: { name, specialty: 'therapist' } }))).id as string;
    await must('hours', call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, { token: owner.token, body: hours(room) }));
    return id;
  };
  const doctor = await newSpecialist('Dr One');
  const spareDoctor = await newSpecialist('Dr Two');
  const newService = async (name: string) =>
    (await must('service', call(app, 'POST', `/api/v1/organizations/${org}/services`, { token: owner.token, body: { name, duration_minutes: 30, price: { amount: 150000, currency: 'RUB' }, specialist_ids: [doctor] } }))).id as string;
  const service = await newService('Massage');
  const spareService = await newService('Yoga');
  let hour = 8;
  const nextStart = () => `2027-03-02T${String(hour++).padStart(2, '0')}:00:00+03:00`;
  const newAppointment = async () =>
    (await must('appointment', call(app, 'POST', `/api/v1/organizations/${org}/appointments`, { token: owner.token, body: { specialist_id: doctor, client_id: record, start: nextStart(), duration: 30, service: 'Check-up', cost: { amount: 150000, currency: 'RUB' } } }))).id as string;
  const seen = await newAppointment();
  const attended = await newAppointment();
  const missed = await newAppointment();
  await must('confirm', call(app, 'POST', `/api/v1/appointments/${missed}/confirm`, { token: owner.token }));
  const cancelled = await newAppointment();
  // The waitlist for the service, in days nothing here frees.
  const newEntry = async () =>
    (await must('waitlist entry', call(app, 'POST', `/api/v1/organizations/${org}/waitlist`, { token: owner.token, body: { client_id: record, service_id: service, from_date: '2027-03-20', to_date: '2027-03-21' } }))).id as string;
  const waiting = await newEntry();
  const withdrawn = await newEntry();
  const feed = (await must('calendar feed', call(app, 'POST', `/api/v1/specialists/${doctor}/calendar-feeds`, { token: owner.token, body: {} }))).id as string;
  // A webhook to a public address (TEST-NET-3), deleted by its case before any case books or moves.
  const newWebhook = async () =>
    (await must('webhook', call(app, 'POST', `/api/v1/organizations/${org}/webhooks`, { token: owner.token, body: { url: 'https://203.0.113.10/hooks', event_types: ['appointment.rescheduled'] } }))).id as string;
  const hook = await newWebhook();
  const series = (await must('series', call(app, 'POST', `/api/v1/organizations/${org}/appointments`, { token: owner.token, body: { specialist_id: doctor, client_id: record, start: nextStart(), duration: 30, repeat: { every_weeks: 1, count: 2 } } }))).series_id as string;

  return {
    runtime,
    tokens: { owner: owner.token, person: someone.token },
    /** In a fixed order: both worlds name them alike (`<id 0>`...). */
    ids: { org, otherOrg, thirdOrg, owner: owner.id, member: member.id, leaving: leaving.id, pending, toAccept, toDecline, account: someone.id, record, offered, walkIn, room, spareRoom, doctor, spareDoctor, seen, attended, missed, cancelled, service, spareService, waiting, withdrawn, series, feed, hook },
    nextStart,
  };
}

type World = Awaited<ReturnType<typeof world>>;
type Ids = World['ids'];

interface Case {
  /** The method and the url exactly as declared. */
  readonly route: string;
  readonly as: 'owner' | 'person';
  readonly params?: (i: Ids) => Record<string, string>;
  readonly query?: (i: Ids) => string;
  readonly body?: (i: Ids, w: World) => unknown;
  /** The status both worlds must give; 2xx unless said. */
  readonly status?: number;
}

/** In order: what removes or moves comes after what reads it. */
const CASES: Case[] = [
  // Webhooks first: their delivery log is empty in both worlds before any case books or moves, and the
  // endpoint is deleted before they do, so nothing is ever posted.
  { route: 'GET /api/v1/organizations/:org/webhooks', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'GET /api/v1/webhooks/:id', as: 'owner', params: (i) => ({ id: i.hook }) },
  { route: 'GET /api/v1/webhooks/:id/deliveries', as: 'owner', params: (i) => ({ id: i.hook }) },
  { route: 'POST /api/v1/webhooks/:id/secret', as: 'owner', params: (i) => ({ id: i.hook }) },
  { route: 'DELETE /api/v1/webhooks/:id', as: 'owner', params: (i) => ({ id: i.hook }) },
  { route: 'GET /api/v1/organizations/:org', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'PATCH /api/v1/organizations/:org', as: 'owner', params: (i) => ({ org: i.org }), body: () => ({ description: 'checked' }) },
  { route: 'GET /api/v1/organizations/:org/clients', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'POST /api/v1/organizations/:org/clients', as: 'owner', params: (i) => ({ org: i.org }), body: () => ({ first_name: 'New', phone: '+79517580003' }) },
  { route: 'GET /api/v1/organizations/:org/members', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'PATCH /api/v1/organizations/:org/members/:user', as: 'owner', params: (i) => ({ org: i.org, user: i.member }), body: () => ({ role: 'manager' }) },
  { route: 'GET /api/v1/organizations/:org/executors', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'POST /api/v1/organizations/:org/invitations', as: 'owner', params: (i) => ({ org: i.org }), body: () => ({ email: 'new@clinic.example', role: 'specialist' }) },
  { route: 'GET /api/v1/organizations/:org/invitations', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'POST /api/v1/invitations/:id/accept', as: 'owner', params: (i) => ({ id: i.toAccept }), body: () => ({}) },
  { route: 'POST /api/v1/invitations/:id/decline', as: 'owner', params: (i) => ({ id: i.toDecline }) },
  { route: 'POST /api/v1/organizations/:org/places', as: 'owner', params: (i) => ({ org: i.org }), body: () => ({ name: 'Room 3' }) },
  { route: 'GET /api/v1/organizations/:org/places', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'GET /api/v1/places/:place', as: 'owner', params: (i) => ({ place: i.room }) },
  { route: 'PATCH /api/v1/places/:place', as: 'owner', params: (i) => ({ place: i.room }), body: () => ({ description: 'checked' }) },
  { route: 'POST /api/v1/organizations/:org/specialists', as: 'owner', params: (i) => ({ org: i.org }), body: (i) => ({ name: 'Dr Three', user_id: i.owner }) },
  { route: 'GET /api/v1/organizations/:org/specialists', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'GET /api/v1/specialists/:id', as: 'owner', params: (i) => ({ id: i.doctor }) },
  { route: 'PATCH /api/v1/specialists/:id', as: 'owner', params: (i) => ({ id: i.doctor }), body: (i) => ({ specialty: 'surgeon', user_id: i.member }) },
  { route: 'PUT /api/v1/specialists/:id/working-hours', as: 'owner', params: (i) => ({ id: i.doctor }), body: (i) => hours(i.room) },
  { route: 'GET /api/v1/specialists/:id/working-hours', as: 'owner', params: (i) => ({ id: i.doctor }) },
  { route: 'GET /api/v1/specialists/:id/slots', as: 'owner', params: (i) => ({ id: i.doctor }), query: () => '?date=2027-03-03&duration=30' },
  { route: 'POST /api/v1/organizations/:org/services', as: 'owner', params: (i) => ({ org: i.org }), body: (i) => ({ name: 'Check-up', duration_minutes: 30, price: { amount: 150000, currency: 'RUB' }, specialist_ids: [i.doctor] }) },
  { route: 'GET /api/v1/organizations/:org/services', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'GET /api/v1/services/:service', as: 'owner', params: (i) => ({ service: i.service }) },
  { route: 'PATCH /api/v1/services/:service', as: 'owner', params: (i) => ({ service: i.service }), body: (i) => ({ specialist_ids: [i.doctor, i.spareDoctor] }) },
  { route: 'GET /api/v1/organizations/:org/services/:service/slots', as: 'owner', params: (i) => ({ org: i.org, service: i.service }), query: () => '?date=2027-03-03' },
  { route: 'GET /api/v1/organizations/:org/appointments', as: 'owner', params: (i) => ({ org: i.org }), query: (i) => `?specialist_id=${i.doctor}&client_id=${i.record}` },
  {
    route: 'POST /api/v1/organizations/:org/appointments',
    as: 'owner',
    params: (i) => ({ org: i.org }),
    body: (i, w) => ({ specialist_id: i.doctor, client_id: i.record, place_id: i.room, start: w.nextStart(), duration: 30, service: 'Check-up', cost: { amount: 150000, currency: 'RUB' } }),
  },
  { route: 'POST /api/v1/organizations/:org/appointments', as: 'person', params: (i) => ({ org: i.org }), body: (i, w) => ({ specialist_id: i.doctor, client_id: i.account, start: w.nextStart(), duration: 30 }) },
  { route: 'POST /api/v1/organizations/:org/appointments', as: 'owner', params: (i) => ({ org: i.org }), body: (i, w) => ({ specialist_id: i.doctor, client_id: i.record, start: w.nextStart(), duration: 30, repeat: { every_weeks: 1, count: 2 } }) },
  { route: 'GET /api/v1/appointments/:id', as: 'owner', params: (i) => ({ id: i.seen }) },
  { route: 'GET /api/v1/appointments/:id', as: 'person', params: (i) => ({ id: i.seen }) },
  { route: 'PATCH /api/v1/appointments/:id', as: 'owner', params: (i) => ({ id: i.seen }), body: (i, w) => ({ specialist_id: i.doctor, place_id: i.room, start: w.nextStart(), duration: 45 }) },
  { route: 'POST /api/v1/appointments/:id/confirm', as: 'owner', params: (i) => ({ id: i.attended }) },
  { route: 'POST /api/v1/appointments/:id/complete', as: 'owner', params: (i) => ({ id: i.attended }) },
  // Found, and refused for the rule of the day (its start has not passed): a business 409, not a 404.
  { route: 'POST /api/v1/appointments/:id/no-show', as: 'owner', params: (i) => ({ id: i.missed }), status: 409 },
  { route: 'POST /api/v1/appointments/:id/cancel', as: 'person', params: (i) => ({ id: i.cancelled }), body: () => ({ reason: 'checked' }) },
  { route: 'POST /api/v1/organizations/:org/waitlist', as: 'owner', params: (i) => ({ org: i.org }), body: (i) => ({ client_id: i.record, service_id: i.service, specialist_id: i.doctor, from_date: '2027-03-20', to_date: '2027-03-21' }) },
  { route: 'POST /api/v1/organizations/:org/waitlist', as: 'person', params: (i) => ({ org: i.org }), body: (i) => ({ client_id: i.account, service_id: i.service, from_date: '2027-03-20', to_date: '2027-03-21' }) },
  { route: 'GET /api/v1/organizations/:org/waitlist', as: 'owner', params: (i) => ({ org: i.org }) },
  { route: 'GET /api/v1/waitlist/:id', as: 'owner', params: (i) => ({ id: i.waiting }) },
  { route: 'GET /api/v1/waitlist/:id', as: 'person', params: (i) => ({ id: i.waiting }) },
  // Found, and refused for the rule of the entry (no time offered yet): a business 409, not a 404.
  { route: 'POST /api/v1/waitlist/:id/accept', as: 'person', params: (i) => ({ id: i.waiting }), status: 409 },
  { route: 'DELETE /api/v1/waitlist/:id', as: 'person', params: (i) => ({ id: i.withdrawn }) },
  { route: 'POST /api/v1/series/:series/cancel', as: 'person', params: (i) => ({ series: i.series }), body: () => ({ reason: 'checked' }) },
  { route: 'GET /api/v1/clients/:client', as: 'owner', params: (i) => ({ client: i.record }) },
  { route: 'GET /api/v1/clients/:client', as: 'person', params: (i) => ({ client: i.account }) },
  { route: 'PUT /api/v1/clients/:client', as: 'owner', params: (i) => ({ client: i.record }), body: () => ({ first_name: 'Linked', phone: '+79517580001', address: 'checked' }) },
  { route: 'PATCH /api/v1/clients/:client', as: 'person', params: (i) => ({ client: i.account }), body: () => ({ additional_info: 'checked' }) },
  { route: 'PATCH /api/v1/clients/:client/full_name', as: 'owner', params: (i) => ({ client: i.record }), body: () => ({ first_name: 'Renamed' }) },
  { route: 'PATCH /api/v1/clients/:client/phone_number', as: 'owner', params: (i) => ({ client: i.record }), body: () => ({ phone_number: '+79517580009' }) },
  { route: 'PATCH /api/v1/clients/:client/additional_info', as: 'owner', params: (i) => ({ client: i.record }), body: () => ({ additional_info: 'checked again' }) },
  { route: 'GET /api/v1/clients/:client/history', as: 'owner', params: (i) => ({ client: i.record }) },
  { route: 'GET /api/v1/clients/:client/history', as: 'person', params: (i) => ({ client: i.account }) },
  { route: 'GET /api/v1/clients/:client/sessions', as: 'owner', params: (i) => ({ client: i.record }) },
  { route: 'GET /api/v1/clients/:client/sessions', as: 'person', params: (i) => ({ client: i.account }) },
  { route: 'POST /api/v1/clients/me/links/:record/accept', as: 'person', params: (i) => ({ record: i.offered }), body: () => ({ share: ['email'] }) },
  { route: 'DELETE /api/v1/clients/me/links/:record', as: 'person', params: (i) => ({ record: i.offered }) },
  { route: 'DELETE /api/v1/clients/:client/link', as: 'owner', params: (i) => ({ client: i.record }) },
  { route: 'DELETE /api/v1/organizations/:org/clients/:client', as: 'owner', params: (i) => ({ org: i.org, client: i.walkIn }) },
  // A removed record may still be erased (the log holds it).
  { route: 'POST /api/v1/organizations/:org/clients/:client/erasure', as: 'owner', params: (i) => ({ org: i.org, client: i.walkIn }) },
  // No platform admin in this world: the account is hidden alike whatever the case of its id.
  { route: 'POST /api/v1/clients/:client/erasure', as: 'owner', params: (i) => ({ client: i.account }), body: () => ({ reason: 'checked' }), status: 404 },
  { route: 'DELETE /api/v1/organizations/:org/invitations/:id', as: 'owner', params: (i) => ({ org: i.org, id: i.pending }) },
  { route: 'DELETE /api/v1/organizations/:org/members/:user', as: 'owner', params: (i) => ({ org: i.org, user: i.leaving }) },
  { route: 'POST /api/v1/specialists/:id/calendar-feeds', as: 'owner', params: (i) => ({ id: i.doctor }), body: () => ({ client_details: 'initials' }) },
  { route: 'GET /api/v1/specialists/:id/calendar-feeds', as: 'owner', params: (i) => ({ id: i.doctor }) },
  { route: 'DELETE /api/v1/calendar-feeds/:id', as: 'owner', params: (i) => ({ id: i.feed }) },
  { route: 'DELETE /api/v1/places/:place', as: 'owner', params: (i) => ({ place: i.spareRoom }) },
  { route: 'DELETE /api/v1/services/:service', as: 'owner', params: (i) => ({ service: i.spareService }) },
  { route: 'DELETE /api/v1/specialists/:id', as: 'owner', params: (i) => ({ id: i.spareDoctor }) },
  // Last: it ends the person's sessions.
  { route: 'PATCH /api/v1/clients/:client/password', as: 'person', params: (i) => ({ client: i.account }), body: () => ({ password: 'a-new-password', current_password: PASSWORD }) },
  // After every other case: the endpoint it makes is sent nothing.
  { route: 'POST /api/v1/organizations/:org/webhooks', as: 'owner', params: (i) => ({ org: i.org }), body: () => ({ url: 'https://203.0.113.10/hooks', event_types: ['client.created'] }) },
];

/** Every id as its place in order of first appearance: the same for both worlds when they name the same things. */
function namer(ids: Ids) {
  const names = new Map<string, string>();
  const name = (text: string) =>
    text.replace(UUIDS, (id) => {
      if (!names.has(id)) names.set(id, `<id ${names.size}>`);
      return names.get(id)!;
    });
  for (const id of Object.values(ids)) name(id);
  return name;
}

/**
 * A reply as both worlds can agree on it: ids by name, the database's clock
 * (`occurred_at` of an event), event hashes (they cover each world's own
 * ids) a calendar feed URL's random token and webhook secrets left out, and lists as sets (rows that tie on their order, e.g.
 * members added at the same fixed instant, come in any order).
 */
function comparable(body: unknown, name: (text: string) => string): unknown {
  const text = name(JSON.stringify(body ?? null)).replace(/"occurred_at":"[^"]*"/g, '"occurred_at":"<time>"').replace(/"hash":"[0-9a-f]{64}"/g, '"hash":"<hash>"').replace(/\/calendar\/[A-Za-z0-9_-]{43}\.ics/g, '/calendar/<token>.ics')
    // A webhook's secret is derived from its id, which each world makes for itself.
    .replace(/"secret":"whsec_[^"]*"/g, '"secret":"<secret>"');
  const named = JSON.parse(text) as unknown;
  return Array.isArray(named) ? named.map((item) => JSON.stringify(item)).sort() : named;
}

/** A UUID with an upper-case letter anywhere in the text. */
const upperCaseIds = (text: string) => (text.match(UUIDS) ?? []).filter((id) => id !== id.toLowerCase());

const deepMap = (value: unknown, f: (id: string) => string): unknown => JSON.parse(JSON.stringify(value ?? null).replace(UUIDS, f));

t.test('every route that takes an id answers an UPPER-case id exactly as its lower-case form, and records the same events', async (t) => {
  const upper = await world(t);
  const lower = await world(t);
  const { app } = upper.runtime;

  t.test('every route that takes an id has a case, and every case names one', async (t) => {
    // The routes that take an id: the Uuid mark in their parameters or body.
    const document = (await call(app, 'GET', '/docs/json')).body;
    const takesId = (method: string, url: string) => {
      const operation = document.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      return operation !== undefined && JSON.stringify([operation.parameters, operation.requestBody]).includes('"x-lowercase":true');
    };
    const withIds = app
      .declaredRoutes()
      .filter((r) => r.url.startsWith(API_PREFIX) && r.method !== 'HEAD' && takesId(r.method, r.url))
      .map((r) => `${r.method} ${r.url}`);
    const walked = [...new Set(CASES.map((c) => c.route))];
    t.same(withIds.filter((r) => !walked.includes(r)).sort(), [], 'every route that takes an id has a case (add new routes to CASES)');
    t.same(walked.filter((r) => !withIds.includes(r)), [], 'every case names a route that takes an id');
    t.comment(`routes walked (${walked.length}):\n${walked.join('\n')}`);
  });

  // The cases run in CASES' order on the two worlds (what removes or moves comes after what reads it): each is a behaviour of its own route.
  const names = { upper: namer(upper.ids), lower: namer(lower.ids) };
  for (const c of CASES) {
    const label = `${c.route} as ${c.as}`;
    t.test(`${label}: the same answer to an UPPER-case id as to its lower-case form`, async (t) => {
      const [method, pattern] = c.route.split(' ') as [string, string];
      const request = async (w: World, shape: (id: string) => string) => {
        const params = deepMap(c.params?.(w.ids) ?? {}, shape) as Record<string, string>;
        const url = pattern.replace(/:(\w+)/g, (_, key: string) => params[key]!) + (c.query ? c.query(w.ids).replace(UUIDS, shape) : '');
        const body = c.body === undefined ? undefined : deepMap(c.body(w.ids, w), shape);
        return { url, reply: await call(w.runtime.app, method as InjectOptions['method'], url, { token: w.tokens[c.as], body }) };
      };
      const a = await request(upper, (id) => id.toUpperCase());
      const b = await request(lower, (id) => id.toLowerCase());
      t.not(a.url, b.url, `${label}: the upper-case world is sent other text`);
      const wanted = c.status === undefined ? b.reply.status >= 200 && b.reply.status < 300 : b.reply.status === c.status;
      t.ok(wanted, `${label}: ${c.status ?? '2xx'} with lower-case ids (got ${b.reply.status} ${JSON.stringify(b.reply.body)?.slice(0, 200)})`);
      t.equal(a.reply.status, b.reply.status, `${label}: the same status with upper-case ids`);
      t.same(comparable(a.reply.body, names.upper), comparable(b.reply.body, names.lower), `${label}: the same answer`);
      t.same(upperCaseIds(JSON.stringify(a.reply.body ?? null)), [], `${label}: ids answered in lower case`);
      if (method === 'GET') {
        // Fastify's HEAD of each GET: in both worlds, since a look at a history is recorded.
        const [headA, headB] = [await call(app, 'HEAD', a.url, { token: upper.tokens[c.as] }), await call(lower.runtime.app, 'HEAD', b.url, { token: lower.tokens[c.as] })];
        t.equal(headA.status, headB.status, `HEAD ${pattern} as ${c.as}: the same status with upper-case ids`);
      }
    });
  }

  // After every case: what they appended.
  t.test('both worlds appended the same events, in the same streams', async (t) => {
    // A contact's stream is named by a keyed hash whose key each world's database makes for itself.
    const contact = (stream: string) => stream.replace(/^(phone|staff-phone|staff-email)-[0-9a-f]{64}$/, '$1-<pseudonym>');
    const streams = async (w: World, name: (text: string) => string) =>
      (await w.runtime.connection.db.selectFrom('events').select(['stream_id', 'type']).orderBy('global_position').execute()).map((e) => `${name(contact(e.stream_id))} ${e.type}`).sort();
    const [written, expected] = [await streams(upper, names.upper), await streams(lower, names.lower)];
    t.same(written, expected, 'the same events, in the same streams');
  });

  t.test('no stream is named by an upper-case id', async (t) => {
    const rawStreams = (await upper.runtime.connection.db.selectFrom('events').select('stream_id').distinct().execute()).map((e) => e.stream_id);
    t.same(rawStreams.filter((s) => upperCaseIds(s).length > 0), [], 'no stream is named by an upper-case id');
  });

  const looks = async (stream: string) => (await upper.runtime.store.readStream(stream)).map((e) => e.type);
  // Two looks each: the GET and its HEAD.
  t.test("the person's looks at /clients/{UPPER}/history are in their account's audit stream", async (t) => {
    t.same(await looks(`client-audit-${upper.ids.account}`), ['ClientHistoryViewed', 'ClientHistoryViewed'], "the person's looks at /clients/{UPPER}/history are in their account's audit stream");
  });

  t.test("the owner's looks at a record's history are in the record's audit stream", async (t) => {
    t.same(await looks(`client-record-audit-${upper.ids.record}`), ['ClientRecordHistoryViewed', 'ClientRecordHistoryViewed'], "the owner's looks are in the record's audit stream");
  });
});
