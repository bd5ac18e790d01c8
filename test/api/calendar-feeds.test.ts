import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import t from 'tap';
import { addDays } from '../../src/commands/scheduling/zoned-time.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { START } from '../../src/store/port.js';
import { eventCount } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, clinic, everyDay, place, specialist, type Clinic } from '../helpers/scheduling.js';
import { addMember, staffMember, type StaffMember } from '../helpers/staff.js';
import { uniquePhone } from '../helpers/api-spec.js';

// Calendar feeds over HTTP (docs/booking.md, "Calendar feeds"): a secret URL
// made by an owner or admin (or the specialist themself) serves the
// specialist's appointments as iCalendar, parsed here with ical.js as a
// calendar app would; the client shows only as far as the feed allows; a
// revoked URL is 404 at once; the token is in no log line and no event.

const hours = (room: string) => ({ time_zone: 'UTC', weekly: everyDay([{ start: '00:00', end: '24:00', place_id: room }]), min_notice_minutes: 0 });
const day = addDays(new Date().toISOString().slice(0, 10), 3);
const at = (time: string) => `${day}T${time}:00.000Z`;
const URL_SHAPE = /^http:\/\/localhost(:\d+)?\/calendar\/([A-Za-z0-9_-]{43})\.ics$/;
const NOT_FOUND = { detail: 'Not found.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

interface FeedEvent {
  readonly uid: string;
  readonly start: string;
  readonly end: string;
  readonly summary: string;
  readonly location: string | null;
  readonly status: string;
  readonly lastModified: string | null;
}

/** The feed as a calendar app reads it: ical.js parses the text, and each VEVENT's properties are read back. */
function parseFeed(text: string): { name: string | null; events: FeedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const time = (event: ICAL.Component, name: string) => {
    const value = event.getFirstPropertyValue(name);
    return value instanceof ICAL.Time ? value.toJSDate().toISOString() : null;
  };
  const events = calendar.getAllSubcomponents('vevent').map((event) => ({
    uid: String(event.getFirstPropertyValue('uid')),
    start: time(event, 'dtstart')!,
    end: time(event, 'dtend')!,
    summary: String(event.getFirstPropertyValue('summary')),
    location: (event.getFirstPropertyValue('location') as string | null) ?? null,
    status: String(event.getFirstPropertyValue('status')),
    lastModified: time(event, 'last-modified'),
  }));
  return { name: (calendar.getFirstPropertyValue('x-wr-calname') as string | null) ?? null, events };
}

/** The URL as a calendar app fetches it (app.inject takes the path). */
async function fetchFeed(runtime: TestRuntime, url: string) {
  const { pathname } = new URL(url);
  const reply = await runtime.app.inject({ method: 'GET', url: pathname });
  return { status: reply.statusCode, headers: reply.headers, text: reply.body };
}

const tokenOf = (url: string) => URL_SHAPE.exec(url)![2]!;

t.test('calendar feeds', async (t) => {
  const runtime = await startRuntime(t);
  const { app } = runtime;
  const c = await clinic(runtime, 'Feeds');
  const room = await place(runtime, c, 'Room 1');
  const doctor = await specialist(runtime, c, 'Dr Ivanova', hours(room));
  const create = (specialistId: string, token: string | undefined, body: unknown = {}) => call(app, 'POST', `/api/v1/specialists/${specialistId}/calendar-feeds`, { token, body });
  const list = (specialistId: string, token: string | undefined) => call(app, 'GET', `/api/v1/specialists/${specialistId}/calendar-feeds`, { token });
  const revoke = (feedId: string, token: string | undefined) => call(app, 'DELETE', `/api/v1/calendar-feeds/${feedId}`, { token });

  // A client the clinic knows well: name, phone, email and notes, none of which a `none` feed may show.
  const phone = uniquePhone();
  const added = await call(app, 'POST', `/api/v1/organizations/${c.org}/clients`, {
    token: c.owner.token,
    body: { first_name: 'Anna', last_name: 'Karenina', phone, email: 'anna@karenina.example', additional_info: 'allergic to nuts' },
  });
  t.equal(added.status, 201);
  const anna = added.body.id as string;
  const booked = async (start: string, body: Record<string, unknown> = {}) => {
    const reply = await book(runtime, c.org, c.manager.token, { specialist_id: doctor, client_id: anna, start: at(start), duration: 30, cost: { amount: 987600, currency: 'RUB' }, ...body });
    if (reply.status !== 201) throw new Error(`booking ${start}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as { id: string; status: string };
  };
  const tenOClock = await booked('10:00');
  const confirmed = await call(app, 'POST', `/api/v1/appointments/${tenOClock.id}/confirm`, { token: c.manager.token });
  t.equal(confirmed.status, 200);
  const noon = await booked('12:00', { service: '' });

  t.test('an owner makes a feed; its URL serves the appointments as iCalendar, the service only by default', async (t) => {
    const made = await create(doctor, c.owner.token, { description: 'Dr Ivanova’s phone' });
    t.equal(made.status, 201);
    t.match(made.body, { specialist_id: doctor, client_details: 'none', description: 'Dr Ivanova’s phone' });
    t.match(made.body.url, URL_SHAPE, 'an absolute URL with a 43-character token');
    t.same(Object.keys(made.body).sort(), ['client_details', 'created_at', 'description', 'id', 'specialist_id', 'url']);

    const feed = await fetchFeed(runtime, made.body.url);
    t.equal(feed.status, 200);
    t.equal(feed.headers['content-type'], 'text/calendar; charset=utf-8');
    t.equal(feed.headers['cache-control'], 'private, no-store');
    const parsed = parseFeed(feed.text);
    t.equal(parsed.name, 'Dr Ivanova');
    t.same(parsed.events.map(({ lastModified: _, ...event }) => event), [
      { uid: tenOClock.id, start: at('10:00'), end: at('10:30'), summary: 'Massage', location: 'Room 1', status: 'CONFIRMED' },
      { uid: noon.id, start: at('12:00'), end: at('12:30'), summary: 'Appointment', location: 'Room 1', status: 'TENTATIVE' },
    ], 'one VEVENT per appointment: UID its id, times in UTC, the service (or "Appointment"), the place, CONFIRMED or TENTATIVE (pending)');
    t.ok(parsed.events.every((e) => e.lastModified !== null), 'LAST-MODIFIED on every event');
    for (const secret of ['Anna', 'Karenina', 'A.', phone, 'anna@karenina.example', 'nuts', '9876', anna]) t.notOk(feed.text.includes(secret), `nothing of the client or the price: ${secret}`);

    t.test('the list shows the feed without its URL', async (t) => {
      const listed = await list(doctor, c.owner.token);
      t.equal(listed.status, 200);
      t.same(listed.body, [{ id: made.body.id, specialist_id: doctor, client_details: 'none', description: 'Dr Ivanova’s phone', created_at: made.body.created_at }]);
      t.notOk(JSON.stringify(listed.body).includes(tokenOf(made.body.url)), 'no token in the list');
    });
  });

  t.test('initials and names, when an owner or admin asks for them', async (t) => {
    const initials = await create(doctor, c.owner.token, { client_details: 'initials' });
    t.equal(initials.status, 201);
    const withInitials = parseFeed((await fetchFeed(runtime, initials.body.url)).text);
    t.same(withInitials.events.map((e) => e.summary), ['Massage · A. K.', 'Appointment · A. K.']);
    const names = await create(doctor, c.owner.token, { client_details: 'name' });
    t.equal(names.status, 201);
    const feed = (await fetchFeed(runtime, names.body.url)).text;
    t.same(parseFeed(feed).events.map((e) => e.summary), ['Massage · Anna Karenina', 'Appointment · Anna Karenina']);
    for (const secret of [phone, 'anna@karenina.example', 'nuts', '9876']) t.notOk(feed.includes(secret), `never contacts, notes or prices: ${secret}`);
  });

  t.test('a cancelled appointment leaves the feed; a rescheduled one moves in it, under the same UID', async (t) => {
    const made = await create(doctor, c.owner.token);
    const cancelled = await booked('15:00');
    const moved = await booked('16:00');
    const before = parseFeed((await fetchFeed(runtime, made.body.url)).text).events.map((e) => e.uid);
    t.ok(before.includes(cancelled.id) && before.includes(moved.id));
    t.equal((await call(app, 'POST', `/api/v1/appointments/${cancelled.id}/cancel`, { token: c.manager.token, body: { reason: 'ill' } })).status, 200);
    t.equal((await call(app, 'PATCH', `/api/v1/appointments/${moved.id}`, { token: c.manager.token, body: { start: at('17:00'), duration: 45 } })).status, 200);
    const after = parseFeed((await fetchFeed(runtime, made.body.url)).text).events;
    t.notOk(after.some((e) => e.uid === cancelled.id), 'the cancelled appointment is gone from the feed');
    t.match(after.find((e) => e.uid === moved.id), { start: at('17:00'), end: at('17:45') }, 'the reschedule shows at once');
  });

  t.test('revoked, the URL answers 404 at once; the list forgets it', async (t) => {
    const made = await create(doctor, c.owner.token);
    t.equal((await fetchFeed(runtime, made.body.url)).status, 200);
    const revoked = await revoke(made.body.id, c.owner.token);
    t.equal(revoked.status, 204);
    const gone = await fetchFeed(runtime, made.body.url);
    t.equal(gone.status, 404, 'right after the 204');
    t.same(JSON.parse(gone.text), NOT_FOUND, 'the same 404 as any unknown URL');
    t.notOk((await list(doctor, c.owner.token)).body.some((f: { id: string }) => f.id === made.body.id));
    t.equal((await revoke(made.body.id, c.owner.token)).status, 204, 'revoking again changes nothing');
  });

  t.test('unknown and malformed tokens: 404, nothing more', async (t) => {
    for (const path of [`/calendar/${'A'.repeat(43)}.ics`, '/calendar/short.ics', `/calendar/${'A'.repeat(42)}!.ics`, `/calendar/${'A'.repeat(99)}.ics`, '/calendar/.ics']) {
      const reply = await call(app, 'GET', path);
      t.equal(reply.status, 404, path);
      t.same(reply.body, NOT_FOUND, path);
    }
  });

  t.test('the specialist themself: their own feeds, client names excepted', async (t) => {
    const member = await staffMember(runtime, 'ivanova@feeds.example');
    await addMember(runtime, c.org, c.owner, member, 'specialist');
    const linked = await call(app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.owner.token, body: { name: 'Dr Self', user_id: member.id } });
    t.equal(linked.status, 201);
    const self = linked.body.id as string;
    const made = await create(self, member.token, { client_details: 'initials' });
    t.equal(made.status, 201, 'a feed of their own calendar');
    t.equal((await list(self, member.token)).body.length, 1);
    const events = await eventCount(runtime);
    const names = await create(self, member.token, { client_details: 'name' });
    t.equal(names.status, 403, 'names are the organization’s call');
    t.same(names.body, FORBIDDEN);
    t.equal(await eventCount(runtime), events, 'nothing appended');
    t.equal((await create(doctor, member.token)).status, 403, 'another specialist’s calendar is not theirs');
    t.equal((await list(doctor, member.token)).status, 403);
    t.equal((await revoke(made.body.id, member.token)).status, 204, 'they revoke their own');
    const owners = await create(self, c.owner.token, { client_details: 'name' });
    t.equal(owners.status, 201, 'an owner may show names in the same specialist’s feed');
  });

  t.test('who may not: another organization’s staff (404), a manager (403), a client (403), nobody signed in (401)', async (t) => {
    const other: Clinic = await clinic(runtime, 'Elsewhere');
    const made = await create(doctor, c.owner.token);
    const client = (await call(app, 'POST', '/api/v1/auth/register', { body: { phone: uniquePhone(), password: 'client-password' } })).body;
    const clientToken = await (async () => {
      const { startSession } = await import('../../src/auth/sessions.js');
      return (await startSession(runtime.deps.db, runtime.deps.tokens, { id: client.client_id as string, kind: 'client' }, new Date())).access;
    })();
    const events = await eventCount(runtime);
    const cases: [string, StaffMember | string | undefined, number, unknown][] = [
      ['another organization’s owner', other.owner, 404, NOT_FOUND],
      ['a manager of the clinic', c.manager, 403, FORBIDDEN],
      ['a client', clientToken, 403, FORBIDDEN],
      ['nobody', undefined, 401, { detail: 'Authentication credentials were not provided.' }],
    ];
    for (const [who, caller, status, body] of cases) {
      const token = typeof caller === 'object' ? caller.token : caller;
      for (const [what, reply] of [
        ['create', await create(doctor, token, { client_details: 'name' })],
        ['list', await list(doctor, token)],
        ['revoke', await revoke(made.body.id, token)],
      ] as const) {
        t.equal(reply.status, status, `${who}: ${what}`);
        t.same(reply.body, body, `${who}: ${what}`);
      }
    }
    t.equal((await create('00000000-0000-4000-8000-000000000000', c.owner.token)).status, 404, 'no such specialist');
    t.equal(await eventCount(runtime), events, 'nothing appended');
    t.equal((await fetchFeed(runtime, made.body.url)).status, 200, 'the feed still serves');
  });

  t.test('bad bodies: 400 naming the field, nothing appended', async (t) => {
    const events = await eventCount(runtime);
    for (const [body, field] of [
      [{ client_details: 'everything' }, 'client_details'],
      [{ client_details: null }, 'client_details'],
      [{ description: 'x'.repeat(201) }, 'description'],
      [{ url: 'https://mine.example' }, 'url'],
    ] as const) {
      const reply = await create(doctor, c.owner.token, body);
      t.equal(reply.status, 400, JSON.stringify(body));
      t.ok(reply.body.errors?.[field], `names ${field}: ${JSON.stringify(reply.body)}`);
    }
    t.equal(await eventCount(runtime), events);
  });

  t.test('the token is in no log line and no event: only its SHA-256 is kept', async (t) => {
    const made = await create(doctor, c.owner.token);
    const token = tokenOf(made.body.url);
    t.equal((await fetchFeed(runtime, made.body.url)).status, 200);
    await revoke(made.body.id, c.owner.token);
    t.equal((await fetchFeed(runtime, made.body.url)).status, 404);
    const feedRequests = runtime.logs.map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url).filter((url) => url?.startsWith('/calendar/'));
    t.ok(feedRequests.length >= 2, 'the feed requests are logged');
    t.same([...new Set(feedRequests)], ['/calendar/[redacted].ics'], 'with the token redacted from the path');
    t.notOk(runtime.logs.some((line) => line.includes(token)), 'no log line has the token');
    const log = await runtime.store.readAll({ from: START, limit: 1_000_000 });
    t.notOk(log.some((e) => JSON.stringify({ ...e, position: undefined }).includes(token)), 'no event has the token');
    const created = log.find((e) => e.type === 'CalendarFeedCreated' && (e.data as { feedId: string }).feedId === made.body.id);
    t.equal((created?.data as { tokenHash: string }).tokenHash, createHash('sha256').update(token).digest('hex'), 'the event holds its hash');
  });

  t.test('a removed specialist’s feed answers 404; the organization still revokes it', async (t) => {
    const leaving = await specialist(runtime, c, 'Dr Leaving', hours(room));
    const made = await create(leaving, c.owner.token);
    t.equal((await fetchFeed(runtime, made.body.url)).status, 200);
    t.equal((await call(app, 'DELETE', `/api/v1/specialists/${leaving}`, { token: c.owner.token })).status, 204);
    t.equal((await fetchFeed(runtime, made.body.url)).status, 404);
    t.equal((await create(leaving, c.owner.token)).status, 404, 'no new feed of a removed specialist');
    t.equal((await revoke(made.body.id, c.owner.token)).status, 204);
  });

  t.test('the OpenAPI document: named operations, and the feed as text/calendar for anyone', async (t) => {
    const document = (await call(app, 'GET', '/docs/json')).body as { paths: Record<string, Record<string, { operationId?: string; security?: unknown; responses: Record<string, { content?: Record<string, unknown> }> }>> };
    const feed = document.paths['/calendar/{token}.ics']?.get;
    t.equal(feed?.operationId, 'getCalendarFeed');
    t.ok(feed?.responses['200']?.content?.['text/calendar'], 'the 200 is text/calendar');
    t.notSame(feed?.security, [{ bearer: [] }], 'no token asked for');
    t.same(
      ['post', 'get'].map((method) => document.paths['/api/v1/specialists/{id}/calendar-feeds']?.[method]?.operationId).concat(document.paths['/api/v1/calendar-feeds/{id}']?.delete?.operationId),
      ['createCalendarFeed', 'listCalendarFeeds', 'revokeCalendarFeed'],
    );
  });
});

t.test('PUBLIC_URL sets the base of a feed’s URL', async (t) => {
  const runtime = await startRuntime(t, { env: { PUBLIC_URL: 'https://booking.example/clinic/' } });
  const c = await clinic(runtime, 'Public');
  const room = await place(runtime, c, 'Room');
  const doctor = await specialist(runtime, c, 'Dr Public', hours(room));
  const made = await call(runtime.app, 'POST', `/api/v1/specialists/${doctor}/calendar-feeds`, { token: c.owner.token, body: {} });
  t.equal(made.status, 201);
  t.match(made.body.url, /^https:\/\/booking\.example\/clinic\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  const reply = await runtime.app.inject({ method: 'GET', url: new URL(made.body.url).pathname.replace('/clinic', '') });
  t.equal(reply.statusCode, 200, 'served at /calendar/ behind the proxy that strips the prefix');
  t.same(parseFeed(reply.body).events, []);
});

t.test('PUBLIC_URL must be an http(s) base URL: anything else stops the start', async (t) => {
  t.equal(loadConfig({ PUBLIC_URL: 'https://booking.example/' }).publicUrl, 'https://booking.example');
  t.equal(loadConfig({}).publicUrl, undefined);
  for (const bad of ['ftp://booking.example', 'not a url', 'https://booking.example/?a=1', 'https://user:secret@booking.example']) {
    t.throws(() => loadConfig({ PUBLIC_URL: bad }), ConfigError, bad);
  }
});
