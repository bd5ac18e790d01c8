import type { InjectOptions } from 'fastify';
import type { Test } from 'tap';
import { ROLES } from '../../src/events/organizations/organization.js';
import { PASSWORD } from './clients.js';
import { call } from './runtime.js';
import { STAFF_PASSWORD } from './staff.js';
import {
  anyone, appointment, ATTENDING, booking, BOOKERS, clientOrRecord, EDITORS, HOURS, inOrganization, invitee, myRecords,
  organizationUnlinks, passwordOfAccountOnly, REASON, rub, signedIn, type Caller, type Expect, type Outcome, type Target,
} from './trust-matrix-rules.js';
import { WEBHOOK_URL, type setUp } from './trust-matrix-world.js';

// The table of the authorization matrix (trust-matrix-rules.ts): a row per
// declared route, and the walk that makes each row a behaviour and each of
// its cells (a caller on a target) a behaviour of its own.

export type World = Awaited<ReturnType<typeof setUp>>;

export interface Row {
  /** The method and the url exactly as declared. */
  readonly route: string;
  readonly expect: Expect;
  readonly targets?: readonly Target[];
  readonly body?: (c: Caller, x: Target) => unknown;
  readonly query?: string;
  /** The call ends the session it is made with: use one of the caller's own made for it. */
  readonly freshSession?: boolean;
  readonly after?: (c: Caller, x: Target) => Promise<void>;
  /** What this route rightly shows a caller beyond the markers' rules: a person's export holds their linked records as each organization keeps them. */
  readonly alsoShows?: (c: Caller) => readonly string[];
}

/**
 * The rows by part of the API (each part a test file of its own), in the
 * order their cells run: destructive calls act on throwaway resources,
 * restore what they change, or come last.
 */
export function matrix(w: World): { people: Row[]; organizations: Row[] } {
  const x = w.targets;
  const { P1 } = w.people;
  const people: Row[] = [
    // Identity and sessions.
    { route: 'POST /api/v1/auth/register', expect: anyone, body: () => ({ phone: w.fresh.phone(), password: 'a-new-password' }) },
    { route: 'POST /api/v1/auth/phone/verify', expect: anyone, body: () => ({ phone: P1.phone, code: '000000' }) },
    { route: 'POST /api/v1/auth/phone/resend', expect: anyone, body: () => ({ phone: w.fresh.phone() }) },
    { route: 'POST /api/v1/auth/token', expect: anyone, body: () => ({ phone: P1.phone, password: PASSWORD }) },
    { route: 'POST /api/v1/auth/token/refresh', expect: anyone, body: async () => ({ refresh: await w.refreshToken() }) },
    { route: 'POST /api/v1/auth/login/code', expect: anyone, body: () => ({ phone: P1.phone }) },
    { route: 'POST /api/v1/auth/login/verify', expect: anyone, body: () => ({ phone: P1.phone, code: '000000' }) },
    { route: 'GET /.well-known/jwks.json', expect: anyone },
    { route: 'POST /api/v1/users', expect: anyone, body: () => ({ email: w.fresh.email('staff'), password: STAFF_PASSWORD }) },
    { route: 'POST /api/v1/auth/logout', expect: signedIn('client', 'staff'), freshSession: true },
    { route: 'POST /api/v1/auth/password/check', expect: signedIn('client', 'staff'), body: (c) => ({ password: c.password ?? 'no password' }) },
    { route: 'POST /api/v1/auth/reauthenticate', expect: signedIn('client', 'staff') },

    // A staff user's own account.
    { route: 'GET /api/v1/users/me', expect: signedIn('staff') },
    { route: 'GET /api/v1/users/me/export', expect: signedIn('staff') },
    { route: 'PATCH /api/v1/users/me', expect: signedIn('staff'), body: () => ({ first_name: 'Checked' }) },
    { route: 'POST /api/v1/users/me/email/verify', expect: signedIn('staff') },
    { route: 'POST /api/v1/users/me/email/confirm', expect: signedIn('staff'), body: () => ({ code: '000000' }) },
    { route: 'POST /api/v1/users/me/phone/verify', expect: signedIn('staff') },
    { route: 'POST /api/v1/users/me/phone/confirm', expect: signedIn('staff'), body: () => ({ code: '000000' }) },

    // A person's account, or an organization's record of a client.
    { route: 'GET /api/v1/clients/me', expect: signedIn('client') },
    { route: 'GET /api/v1/clients/me/export', expect: signedIn('client'), alsoShows: (c) => (c.person === 'P1' ? ['record A-linked'] : []) /* A's record linked to P1: its address */ },
    { route: 'GET /api/v1/clients/:client', targets: x.clients, expect: clientOrRecord('read') },
    { route: 'PUT /api/v1/clients/:client', targets: x.clients, expect: clientOrRecord('write'), body: (_c, t) => ({ ...t.profile, reason: REASON }) },
    { route: 'PATCH /api/v1/clients/:client', targets: x.clients, expect: clientOrRecord('write'), body: () => ({ additional_info: 'checked', reason: REASON }) },
    { route: 'PATCH /api/v1/clients/:client/full_name', targets: x.clients, expect: clientOrRecord('write'), body: (_c, t) => ({ first_name: t.profile!.first_name, reason: REASON }) },
    { route: 'PATCH /api/v1/clients/:client/password', targets: x.clients, expect: passwordOfAccountOnly, body: (c) => ({ password: PASSWORD, current_password: c.password ?? 'no password', reason: REASON }), after: w.signInAgain },
    { route: 'PATCH /api/v1/clients/:client/phone_number', targets: x.clients, expect: clientOrRecord('write'), body: (_c, t) => ({ phone_number: t.profile!.phone, reason: REASON }) },
    { route: 'PATCH /api/v1/clients/:client/additional_info', targets: x.clients, expect: clientOrRecord('write'), body: () => ({ additional_info: 'checked', reason: REASON }) },
    { route: 'GET /api/v1/clients/:client/history', targets: x.clients, expect: clientOrRecord('history') },
    { route: 'GET /api/v1/clients/:client/sessions', targets: x.clients, expect: clientOrRecord('read') },

    // Links between records and accounts.
    { route: 'GET /api/v1/clients/me/links', expect: signedIn('client') },
    { route: 'POST /api/v1/clients/me/links/:record/accept', targets: x.clients, expect: myRecords(true), body: () => ({}), after: w.restoreLinks },
    { route: 'DELETE /api/v1/clients/me/links/:record', targets: x.clients, expect: myRecords(false), after: w.restoreLinks },
    { route: 'DELETE /api/v1/clients/:client/link', targets: x.clients, expect: organizationUnlinks, after: w.restoreLinks },

    // The log's anchors (docs/audit.md): platform admins only.
    { route: 'GET /api/v1/audit/anchors', expect: (c) => (c.kind === 'anonymous' ? 'unauthenticated' : c.root ? 'ok' : 'forbidden') },

    // Erasure: no proof (a person) or no reason (staff) is a 400 before anything is erased, so the
    // cells check who reaches the route; who may erase is test/api/erasure-*.test.ts's.
    { route: 'POST /api/v1/clients/me/erasure', expect: signedIn('client'), body: () => ({}) },
    { route: 'POST /api/v1/clients/:client/erasure', targets: x.clients, expect: signedIn('staff'), body: () => ({}) },
  ];
  const organizations: Row[] = [

    // Organizations, their client books, members and invitations.
    { route: 'POST /api/v1/organizations', expect: signedIn('staff'), body: (c) => ({ name: `Made by ${c.name}` }) },
    { route: 'GET /api/v1/organizations', expect: signedIn('staff') },
    { route: 'GET /api/v1/organizations/:org', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'PATCH /api/v1/organizations/:org', targets: x.orgs, expect: inOrganization(EDITORS), body: () => ({ description: 'checked' }) },
    { route: 'POST /api/v1/organizations/:org/clients', targets: x.orgs, expect: inOrganization(BOOKERS), body: () => ({ first_name: 'Walk-in', phone: w.fresh.phone() }) },
    { route: 'GET /api/v1/organizations/:org/clients', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'DELETE /api/v1/organizations/:org/clients/:client', targets: x.freshRecords, expect: inOrganization(BOOKERS) },
    { route: 'POST /api/v1/organizations/:org/clients/:client/erasure', targets: x.freshRecords, expect: inOrganization(BOOKERS) },
    { route: 'GET /api/v1/organizations/:org/members', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'PATCH /api/v1/organizations/:org/members/:user', targets: x.members, expect: inOrganization(EDITORS), body: () => ({ role: 'specialist' }) },
    { route: 'DELETE /api/v1/organizations/:org/members/:user', targets: x.freshMembers, expect: inOrganization(EDITORS) },
    { route: 'GET /api/v1/organizations/:org/executors', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'POST /api/v1/organizations/:org/invitations', targets: x.orgs, expect: inOrganization(EDITORS), body: () => ({ email: w.fresh.email('invited'), role: 'specialist' }) },
    { route: 'GET /api/v1/organizations/:org/invitations', targets: x.orgs, expect: inOrganization(EDITORS) },
    { route: 'DELETE /api/v1/organizations/:org/invitations/:id', targets: x.freshInvitations, expect: inOrganization(EDITORS) },
    { route: 'GET /api/v1/invitations', expect: signedIn('staff') },
    { route: 'POST /api/v1/invitations/:id/accept', targets: x.invitations, expect: invitee, body: () => ({}) },
    { route: 'POST /api/v1/invitations/:id/decline', targets: x.invitations, expect: invitee },

    // Places, specialists, working hours, slots.
    { route: 'POST /api/v1/organizations/:org/places', targets: x.orgs, expect: inOrganization(EDITORS), body: () => ({ name: 'New room' }) },
    { route: 'GET /api/v1/organizations/:org/places', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'GET /api/v1/places/:place', targets: x.places, expect: inOrganization(ROLES) },
    { route: 'PATCH /api/v1/places/:place', targets: x.places, expect: inOrganization(EDITORS), body: () => ({ description: 'checked' }) },
    { route: 'DELETE /api/v1/places/:place', targets: x.freshPlaces, expect: inOrganization(EDITORS) },
    { route: 'POST /api/v1/organizations/:org/specialists', targets: x.orgs, expect: inOrganization(EDITORS), body: () => ({ name: 'New specialist' }) },
    { route: 'GET /api/v1/organizations/:org/specialists', targets: x.orgs, expect: anyone },
    { route: 'GET /api/v1/specialists/:id', targets: x.specialists, expect: anyone },
    { route: 'PATCH /api/v1/specialists/:id', targets: x.specialists, expect: inOrganization(EDITORS), body: () => ({ specialty: 'therapist' }) },
    { route: 'DELETE /api/v1/specialists/:id', targets: x.freshSpecialists, expect: inOrganization(EDITORS) },
    { route: 'PUT /api/v1/specialists/:id/working-hours', targets: x.specialists, expect: inOrganization(EDITORS), body: () => HOURS },
    { route: 'GET /api/v1/specialists/:id/working-hours', targets: x.specialists, expect: inOrganization(ROLES) },
    { route: 'GET /api/v1/specialists/:id/slots', targets: x.specialists, expect: anyone, query: '?date=2027-03-20&duration=30' },

    // The services catalogue: public reads, owners and admins write.
    { route: 'POST /api/v1/organizations/:org/services', targets: x.orgs, expect: inOrganization(EDITORS), body: () => ({ name: 'New service', duration_minutes: 30, price: rub(100000), specialist_ids: [] }) },
    { route: 'GET /api/v1/organizations/:org/services', targets: x.orgs, expect: anyone },
    { route: 'GET /api/v1/services/:service', targets: x.services, expect: anyone },
    { route: 'PATCH /api/v1/services/:service', targets: x.services, expect: inOrganization(EDITORS), body: () => ({ buffer_after_minutes: 5 }) },
    { route: 'DELETE /api/v1/services/:service', targets: x.freshServices, expect: inOrganization(EDITORS) },
    { route: 'GET /api/v1/organizations/:org/services/:service/slots', targets: x.servicesOfOrgs, expect: anyone, query: '?date=2027-03-20' },

    // Booking and appointments (a person's booking links them where they book: after the link rows).
    { route: 'GET /api/v1/organizations/:org/appointments', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'POST /api/v1/organizations/:org/appointments', targets: x.orgs, expect: booking, body: (c, t) => w.bookingBody(c, t.org!) },
    { route: 'GET /api/v1/appointments/:id', targets: x.appointments, expect: appointment(ROLES, true) },
    { route: 'PATCH /api/v1/appointments/:id', targets: x.appointments, expect: appointment(BOOKERS, false), body: () => ({ cost: rub(120000) }) },
    { route: 'POST /api/v1/appointments/:id/confirm', targets: x.freshAppointments, expect: appointment(ATTENDING, false) },
    { route: 'POST /api/v1/appointments/:id/complete', targets: x.freshAppointments, expect: appointment(ATTENDING, false) },
    { route: 'POST /api/v1/appointments/:id/no-show', targets: x.freshAppointments, expect: appointment(ATTENDING, false) },
    { route: 'POST /api/v1/appointments/:id/cancel', targets: x.freshAppointments, expect: appointment(BOOKERS, true), body: () => ({ reason: 'checked' }) },
    { route: 'POST /api/v1/series/:series/cancel', targets: x.freshSeries, expect: appointment(BOOKERS, true), body: () => ({ reason: 'checked' }) },

    // The waitlist (an entry's client is the person linked to its record; its staff the bookers).
    { route: 'POST /api/v1/organizations/:org/waitlist', targets: x.orgs, expect: booking, body: (c, t) => w.waitlistBody(c, t.org!) },
    { route: 'GET /api/v1/organizations/:org/waitlist', targets: x.orgs, expect: inOrganization(BOOKERS) },
    { route: 'GET /api/v1/waitlist/:id', targets: x.waitlist, expect: appointment(BOOKERS, true) },
    { route: 'POST /api/v1/waitlist/:id/accept', targets: x.waitlist, expect: appointment(BOOKERS, true) },
    { route: 'DELETE /api/v1/waitlist/:id', targets: x.freshWaitlist, expect: appointment(BOOKERS, true) },

    // Calendar feeds: owners and admins (the specialist themself too, test/api/calendar-feeds.test.ts); the URL's token is the right to read.
    { route: 'POST /api/v1/specialists/:id/calendar-feeds', targets: x.specialists, expect: inOrganization(EDITORS), body: () => ({ client_details: 'name' }) },
    { route: 'GET /api/v1/specialists/:id/calendar-feeds', targets: x.specialists, expect: inOrganization(EDITORS) },
    { route: 'DELETE /api/v1/calendar-feeds/:id', targets: x.freshCalendarFeeds, expect: inOrganization(EDITORS) },
    { route: 'GET /calendar/:token.ics', targets: x.calendarFeedTokens, expect: anyone },
    // Webhooks: owners and admins of the organization.
    { route: 'POST /api/v1/organizations/:org/webhooks', targets: x.orgs, expect: inOrganization(EDITORS), body: () => ({ url: WEBHOOK_URL, event_types: ['appointment.rescheduled'] }) },
    { route: 'GET /api/v1/organizations/:org/webhooks', targets: x.orgs, expect: inOrganization(EDITORS) },
    { route: 'GET /api/v1/webhooks/:id', targets: x.webhooks, expect: inOrganization(EDITORS) },
    { route: 'GET /api/v1/webhooks/:id/deliveries', targets: x.webhooks, expect: inOrganization(EDITORS) },
    { route: 'POST /api/v1/webhooks/:id/secret', targets: x.webhooks, expect: inOrganization(EDITORS) },
    { route: 'DELETE /api/v1/webhooks/:id', targets: x.freshWebhooks, expect: inOrganization(EDITORS) },

    // Last: it would end the caller's account (every staff caller owns an organization alone by now, so it is a 409).
    { route: 'DELETE /api/v1/users/me', expect: signedIn('staff') },
  ];
  return { people, organizations };
}

// ---------------------------------------------------------------- the walk

const classOf = (status: number): Outcome | 'error' =>
  status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : status === 404 ? 'hidden' : (status >= 200 && status < 300) || [400, 409, 422, 429].includes(status) ? 'ok' : 'error';

/** A refusal says why and nothing else. */
const isErrorBody = (body: unknown) => body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).every((key) => key === 'detail' || key === 'errors'));

/** The texts frontends rely on (docs/architecture.md, "HTTP conventions"); HEAD replies have no body. */
const CONVENTIONAL: Partial<Record<Outcome, string>> = { unauthenticated: 'Authentication credentials were not provided.', forbidden: 'You do not have permission to perform this action.' };
const saysConventionally = (outcome: Outcome, body: Record<string, unknown> | undefined) => body === undefined || CONVENTIONAL[outcome] === undefined || body.detail === CONVENTIONAL[outcome];

/** HEAD answers as its GET does (fastify adds it): the same expectations, made with HEAD. */
export function withHeads(table: readonly Row[], declared: readonly string[]): Row[] {
  return table.flatMap((row) => {
    const head = row.route.replace(/^GET /, 'HEAD ');
    return head !== row.route && declared.includes(head) ? [row, { ...row, route: head }] : [row];
  });
}

type Verdict = 'allowed' | 'denied' | 'leak' | 'false denial' | 'mismatch';

/** One cell: the call, and what its reply is to the rule. */
async function cell(w: World, row: Row, caller: Caller, target: Target): Promise<{ verdict: Verdict; business: boolean; text: string }> {
  const [method, pattern] = row.route.split(' ') as [string, string];
  const expected = row.expect(caller, target);
  const params = await target.params(caller);
  const url =
    pattern.replace(/:(\w+)/g, (_, name: string) => {
      if (params[name] === undefined) throw new Error(`${row.route}: target "${target.label}" gives no :${name}`);
      return params[name];
    }) + (row.query ?? '');
  const token = row.freshSession ? await caller.fresh() : caller.token;
  const body = method === 'GET' || method === 'HEAD' ? undefined : await row.body?.(caller, target);
  const reply = await call(w.runtime.app, method as InjectOptions['method'], url, { token, body });

  const got = classOf(reply.status);
  const json = JSON.stringify(reply.body ?? null);
  const alsoShown = row.alsoShows?.(caller) ?? [];
  const shown = w.markers.filter((m) => json.includes(m.text) && !m.seenBy(caller) && !alsoShown.includes(m.text)).map((m) => m.text);
  const text = `${row.route} | ${caller.name} → ${target.label}: expected ${expected}, got ${reply.status}${shown.length ? ` showing ${shown.join(', ')}` : ''} ${json.slice(0, 160)}`;
  const business = reply.status >= 300;
  if (shown.length > 0) return { verdict: 'leak', business, text };
  if (expected === 'ok') return { verdict: got === 'ok' ? 'allowed' : got === 'error' ? 'mismatch' : 'false denial', business, text };
  if (got === 'ok' || (expected === 'hidden' && got === 'forbidden') || (got === expected && !isErrorBody(reply.body))) return { verdict: 'leak', business, text };
  if (got !== expected || !saysConventionally(got, reply.body)) return { verdict: 'mismatch', business, text };
  return { verdict: 'denied', business, text };
}

/**
 * Each row a behaviour, each cell one of its own. A row's `after` runs
 * after each of its cells, failed or not, so every cell starts from the
 * world as set up. Last, the tally of every cell walked.
 */
export function walk(t: Test, w: World, table: readonly Row[], rows: readonly Row[]): void {
  const tally = { cells: 0, allowed: 0, business: 0, denied: 0 };
  const found: Record<'leak' | 'false denial' | 'mismatch', string[]> = { leak: [], 'false denial': [], mismatch: [] };
  for (const row of rows) {
    t.test(row.route, async (t) => {
      for (const target of row.targets ?? w.targets.none) {
        for (const caller of w.callers) {
          const expected = row.expect(caller, target);
          t.test(`${caller.name} → ${target.label}: ${expected}`, async (t) => {
            if (row.after) t.teardown(() => row.after!(caller, target));
            tally.cells++;
            const { verdict, business, text } = await cell(w, row, caller, target);
            if (verdict === 'allowed') {
              tally.allowed++;
              if (business) tally.business++;
            } else if (verdict === 'denied') tally.denied++;
            else found[verdict].push(text);
            t.equal(verdict, expected === 'ok' ? 'allowed' : 'denied', text);
          });
        }
      }
    });
  }

  t.test('the tally: no leak, no false denial, every refusal the one its rule names', async (t) => {
    const { leak: leaks, 'false denial': falseDenials, mismatch: mismatches } = found;
    t.comment(`routes: ${rows.length} (${table.length} in this part of the table, ${rows.length - table.length} HEAD), callers: ${w.callers.length}`);
    t.comment(`total cells: ${tally.cells}`);
    t.comment(`allowed: ${tally.allowed} (of which a business 4xx: ${tally.business})`);
    t.comment(`denied: ${tally.denied}`);
    t.comment(`leaks: ${leaks.length}`);
    t.comment(`false denials: ${falseDenials.length}`);
    t.comment(`other mismatches (another refusal than the rule's, or an error): ${mismatches.length}`);
    t.same(leaks, [], 'leaks = 0: no refused cell answers, no hidden resource answers 403, no reply shows what its caller may not see');
    t.same(falseDenials, [], 'false denials = 0: every allowed cell gets past authorization');
    t.same(mismatches, [], 'every refusal is the one the rule names');
    t.equal(tally.allowed + tally.denied + leaks.length + falseDenials.length + mismatches.length, tally.cells);
  });
}
