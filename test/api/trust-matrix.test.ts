import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import t, { type Test } from 'tap';
import { API_PREFIX } from '../../src/api/access.js';
import { userDecider } from '../../src/commands/identity/user.js';
import { ROLES, type Role } from '../../src/events/organizations/organization.js';
import { userStream } from '../../src/events/identity/user.js';
import { acceptRecord, addRecord, PASSWORD, person, signIn, type Person } from '../helpers/clients.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { everyDay } from '../helpers/scheduling.js';
import { addMember, invite, organizationOf, STAFF_PASSWORD, staffMember, staffToken, verifyEmail, type StaffMember } from '../helpers/staff.js';

// THE AUTHORIZATION MATRIX (docs/trust-model.md, README "API"): every route
// the app declares under /api/ (and the public JWKS) × every kind of caller ×
// every kind of target (own or foreign organization's resource, a record
// linked to a person or only offered to them, a person's account).
//
// Each cell names the outcome class the caller must get:
//   ok              2xx, or a business 4xx (400, 409, 422, 429) that proves
//                   the caller got past authorization
//   unauthenticated 401
//   forbidden       403
//   hidden          404: the resource does not exist for this caller
// A LEAK is a denied cell that answers ok, a hidden cell that answers 403
// (which tells the resource exists), a denial whose body is more than an
// error, or any reply that shows data the caller may not see (the markers
// below). A FALSE DENIAL is an ok cell that answers 401, 403 or 404.
//
// Routes come from app.declaredRoutes(): a route without a row here fails
// the suite, so a new route must be added to the table with its rule.
//
// Where a platform admin does NOT pass (each a rule below, on purpose): the
// client-only routes (/clients/me, /clients/me/links*); a record's password
// (a record is not a login: 403 to anyone who may write it); an account id
// on DELETE /clients/{id}/link (not a record: 404); someone else's
// invitation (only its invitee answers it: 404); and a resource named under
// another organization's path (404 for everyone).

type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'hidden';
type Org = 'A' | 'B';
type PersonName = 'P1' | 'P2';
type Params = Record<string, string>;

const CLOCK = new Date('2027-03-01T06:00:00Z');
const HOURS = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0 };
const EDITORS: readonly Role[] = ['owner', 'admin'];
const BOOKERS: readonly Role[] = ['owner', 'admin', 'manager'];
const ATTENDING: readonly Role[] = ['owner', 'admin', 'manager', 'specialist'];
const CLIENT_ROLES = { read: ROLES, write: BOOKERS, history: ['owner', 'admin', 'auditor'] } as const satisfies Record<string, readonly Role[]>;
const REASON = 'authorization matrix';
const rub = (amount: number) => ({ amount, currency: 'RUB' });

// ---------------------------------------------------------------- callers

interface Caller {
  readonly name: string;
  readonly kind: 'anonymous' | 'client' | 'staff';
  /** Clients: which person. */
  readonly person?: PersonName;
  /** Staff: their organization and role in it (none for the platform admin). */
  readonly org?: Org;
  readonly role?: Role;
  readonly root?: boolean;
  /** Staff: their verified login email. */
  readonly email?: string;
  readonly password?: string;
  /** The session the cells use; signed in again after a call that ends it. */
  token: string | undefined;
  /** A session of their own for one call that ends it (logout). */
  readonly fresh: () => Promise<string | undefined>;
}

function anonymous(): Caller {
  return { name: 'anonymous', kind: 'anonymous', token: undefined, fresh: async () => undefined };
}

function client(runtime: TestRuntime, name: PersonName, who: Person): Caller {
  return { name: `client ${name}`, kind: 'client', person: name, password: who.password, token: who.token, fresh: () => signIn(runtime, who.phone, who.password) };
}

function staff(runtime: TestRuntime, name: string, member: StaffMember, org: Org, role: Role): Caller {
  return { name, kind: 'staff', org, role, email: member.email, password: STAFF_PASSWORD, token: member.token, fresh: () => staffToken(runtime, member.id) };
}

function platformAdmin(runtime: TestRuntime, member: StaffMember): Caller {
  return { name: 'platform admin', kind: 'staff', root: true, email: member.email, password: STAFF_PASSWORD, token: member.token, fresh: () => staffToken(runtime, member.id) };
}

/** A staff user made platform admin the way the CLI does it: GrantPlatformAdmin appended to their stream. */
async function grantPlatformAdmin(runtime: TestRuntime, member: StaffMember): Promise<void> {
  const { position } = await runtime.deps.handle(
    userDecider,
    userStream(member.id),
    { type: 'GrantPlatformAdmin', data: { userId: member.id, now: CLOCK.toISOString() } },
    { actor: { kind: 'system' }, correlationId: 'trust-matrix', causationId: 'trust-matrix' },
  );
  await runtime.deps.awaitProjections(position, ['users']);
}

// ---------------------------------------------------------------- targets

interface Target {
  readonly label: string;
  /** The organization the resource belongs to. */
  readonly org?: Org;
  /** Set when the path names another organization than the resource's (`/organizations/A/clients/{B's record}`). */
  readonly pathOrg?: Org;
  /** `/clients/{id}` naming this person's account. */
  readonly account?: PersonName;
  /** The record (or the appointment's record) is linked to this person's account. */
  readonly linkedTo?: PersonName;
  /** The record names this person's verified phone and is not linked: offered to them. */
  readonly offeredTo?: PersonName;
  /** An invitation to the caller's own verified email. */
  readonly mine?: boolean;
  /** What a write keeps (PUT replaces every field). */
  readonly profile?: { first_name: string; phone: string; address: string };
  readonly params: (caller: Caller) => Params | Promise<Params>;
}

/** Text that only some callers may ever see in a reply. */
interface Marker {
  readonly text: string;
  readonly seenBy: (caller: Caller) => boolean;
}

// ---------------------------------------------------------------- rules

type Expect = (caller: Caller, target: Target) => Outcome;

const anyone: Expect = () => 'ok';

/** A valid token of one of these kinds (a platform admin is staff). */
const signedIn =
  (...kinds: ('client' | 'staff')[]): Expect =>
  (c) =>
    c.kind === 'anonymous' ? 'unauthenticated' : kinds.includes(c.kind) ? 'ok' : 'forbidden';

/** Staff of the target's organization with one of the roles; other members 403; anyone else 404; a platform admin passes. */
const staffRule = (roles: readonly Role[], c: Caller, x: Target): Outcome => {
  if (c.root) return 'ok';
  if (c.org !== (x.pathOrg ?? x.org)) return 'hidden';
  return roles.includes(c.role!) ? 'ok' : 'forbidden';
};

/** Staff-only routes of an organization, its places, specialists, members, invitations. A resource of another organization under this organization's path does not exist there, for anyone. */
const inOrganization =
  (roles: readonly Role[]): Expect =>
  (c, x) => {
    if (c.kind !== 'staff') return c.kind === 'anonymous' ? 'unauthenticated' : 'forbidden';
    const outcome = staffRule(roles, c, x);
    return outcome === 'ok' && x.pathOrg !== undefined && x.pathOrg !== x.org ? 'hidden' : outcome;
  };

/** `/clients/{id}`: a person reaches their own account only; staff their organization's records only (by role); a platform admin both. */
const clientOrRecord =
  (action: keyof typeof CLIENT_ROLES): Expect =>
  (c, x) => {
    if (c.kind === 'anonymous') return 'unauthenticated';
    if (c.kind === 'client') return x.account === c.person ? 'ok' : 'hidden';
    if (x.account !== undefined) return c.root ? 'ok' : 'hidden';
    return staffRule(CLIENT_ROLES[action], c, x);
  };

/** A record has no password (it is not a login): whoever may write the record is refused this field, platform admin included. */
const passwordOfAccountOnly: Expect = (c, x) => {
  const outcome = clientOrRecord('write')(c, x);
  return outcome === 'ok' && x.account === undefined ? 'forbidden' : outcome;
};

/** The organization unlinks its record (staff route); an account id is no record here, for a platform admin too. */
const organizationUnlinks: Expect = (c, x) => {
  if (c.kind === 'client') return 'forbidden';
  if (c.root && x.account !== undefined) return 'hidden';
  return clientOrRecord('write')(c, x);
};

/** `/clients/me/links/{record}`: clients only; their own linked record, or (accepting) a record offered to them. */
const myRecords =
  (acceptsOffers: boolean): Expect =>
  (c, x) => {
    if (c.kind !== 'client') return c.kind === 'anonymous' ? 'unauthenticated' : 'forbidden';
    if (x.linkedTo === c.person) return 'ok';
    return acceptsOffers && x.offeredTo === c.person ? 'ok' : 'hidden';
  };

/** An appointment: staff by role; the person linked to its record reads (and cancels, when `clientMay`) it, 403 for the rest; any other person 404. */
const appointment =
  (roles: readonly Role[], clientMay: boolean): Expect =>
  (c, x) => {
    if (c.kind === 'anonymous') return 'unauthenticated';
    if (c.kind === 'client') return x.linkedTo !== c.person ? 'hidden' : clientMay ? 'ok' : 'forbidden';
    return staffRule(roles, c, x);
  };

/** Booking: owner, admin, manager of the organization; a person books themself at any organization. */
const booking: Expect = (c, x) => (c.kind === 'client' ? 'ok' : appointment(BOOKERS, false)(c, x));

/** An invitation is answered by the person it was sent to, nobody else (a platform admin does not answer for someone). */
const invitee: Expect = (c, x) => (c.kind !== 'staff' ? (c.kind === 'anonymous' ? 'unauthenticated' : 'forbidden') : x.mine ? 'ok' : 'hidden');

// ---------------------------------------------------------------- the world

async function setUp(t: Test) {
  const runtime = await startRuntime(t, { now: () => CLOCK });
  const { app } = runtime;
  let serial = 0;
  const fresh = {
    phone: () => `+7951759${String(++serial).padStart(4, '0')}`,
    email: (what: string) => `${what}-${++serial}@fresh.example`,
  };
  let slot = 0;
  /** Successive half-hour appointments, one an hour from 08:00 Moscow, so no two bookings ever overlap. */
  const nextStart = () => {
    const day = new Date(Date.UTC(2027, 2, 2) + Math.floor(slot / 12) * 86_400_000).toISOString().slice(0, 10);
    return `${day}T${String(8 + (slot++ % 12)).padStart(2, '0')}:00:00+03:00`;
  };
  const must = async (what: string, reply: Promise<{ status: number; body: Record<string, any> }>) => {
    const done = await reply;
    if (done.status >= 300) throw new Error(`${what}: ${done.status} ${JSON.stringify(done.body)}`);
    return done.body;
  };
  const homeOf = (email: string) => `home of ${email}`;

  // Staff: A with every role, B with an owner (and a member to name), C only sends the callers invitations of their own.
  const ownerA = await staffMember(runtime, 'owner@a.example', { address: homeOf('owner@a.example') });
  const ownerB = await staffMember(runtime, 'owner@b.example', { address: homeOf('owner@b.example') });
  const ownerC = await staffMember(runtime, 'owner@c.example');
  const root = await staffMember(runtime, 'root@platform.example', { address: homeOf('root@platform.example') });
  await grantPlatformAdmin(runtime, root);
  const orgs: Record<Org, string> = { A: await organizationOf(runtime, ownerA, 'A'), B: await organizationOf(runtime, ownerB, 'B') };
  const C = await organizationOf(runtime, ownerC, 'C');
  const owners: Record<Org, StaffMember> = { A: ownerA, B: ownerB };
  const staffOfA: Caller[] = [staff(runtime, 'owner', ownerA, 'A', 'owner')];
  let specialistOfA = '';
  for (const role of ['admin', 'manager', 'specialist', 'auditor'] as const) {
    const member = await staffMember(runtime, `${role}@a.example`, { address: homeOf(`${role}@a.example`) });
    await addMember(runtime, orgs.A, ownerA, member, role);
    staffOfA.push(staff(runtime, role, member, 'A', role));
    if (role === 'specialist') specialistOfA = member.id;
  }
  const memberB = await staffMember(runtime, 'specialist@b.example');
  await addMember(runtime, orgs.B, ownerB, memberB, 'specialist');
  for (const member of [ownerA, ownerB, root]) await verifyEmail(runtime, member); // invitations reach verified emails only

  // People, and the organizations' records of them.
  const people: Record<PersonName, Person> = {
    P1: await person(runtime, '+79517580001', { first_name: 'Pone', address: 'account of P1' }),
    P2: await person(runtime, '+79517580002', { first_name: 'Ptwo', address: 'account of P2' }),
  };
  const profiles = {
    linked: { first_name: 'Linked', phone: people.P1.phone, address: 'record A-linked' },
    offered: { first_name: 'Offered', phone: people.P2.phone, address: 'record A-offered' },
    foreign: { first_name: 'Foreign', phone: '+79517580003', address: 'record B-foreign' },
  };
  const records = {
    linked: await addRecord(runtime, orgs.A, ownerA.token, profiles.linked),
    offered: await addRecord(runtime, orgs.A, ownerA.token, profiles.offered),
    foreign: await addRecord(runtime, orgs.B, ownerB.token, profiles.foreign),
  };
  await acceptRecord(runtime, people.P1, records.linked);

  // Places, specialists with working hours, appointments, invitations; and makers of throwaway ones for destructive cells.
  const newPlace = async (org: Org) => (await must('place', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/places`, { token: owners[org].token, body: { name: `Room ${org}` } }))).id as string;
  const newSpecialist = async (org: Org, phone?: string) => {
    const id = (await must('specialist', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/specialists`, { token: owners[org].token, body: { name: `Dr ${org}`, specialty: 'therapist', ...(phone ? { phone } : {}) } }))).id as string;
    await must('working hours', call(app, 'PUT', `/api/v1/specialists/${id}/working-hours`, { token: owners[org].token, body: HOURS }));
    return id;
  };
  const places: Record<Org, string> = { A: await newPlace('A'), B: await newPlace('B') };
  const specialists: Record<Org, string> = { A: await newSpecialist('A', '+79517581001'), B: await newSpecialist('B', '+79517581002') };
  const bookingOf = (kind: keyof typeof records) => (kind === 'foreign' ? 'B' : 'A') as Org;
  const newAppointment = async (kind: keyof typeof records) => {
    const org = bookingOf(kind);
    const body = { specialist_id: specialists[org], client_id: records[kind], start: nextStart(), duration: 30, service: 'Check-up', cost: rub(150000) };
    return (await must('appointment', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/appointments`, { token: owners[org].token, body }))).id as string;
  };
  const appointments = { linked: await newAppointment('linked'), offered: await newAppointment('offered'), foreign: await newAppointment('foreign') };
  const pending: Record<Org, string> = { A: await invite(runtime, orgs.A, ownerA, 'pending@a.example', 'specialist'), B: await invite(runtime, orgs.B, ownerB, 'pending@b.example', 'specialist') };
  const newRecord = (org: Org) => addRecord(runtime, orgs[org], owners[org].token, { first_name: 'Walk-in', phone: fresh.phone() });
  const newInvitation = (org: Org) => invite(runtime, orgs[org], owners[org], fresh.email('invited'), 'specialist');
  const newMember = async (org: Org) => {
    const member = await staffMember(runtime, fresh.email('member'));
    await addMember(runtime, orgs[org], owners[org], member, 'specialist');
    return member.id;
  };

  const callers: Caller[] = [
    anonymous(),
    client(runtime, 'P1', people.P1),
    client(runtime, 'P2', people.P2),
    ...staffOfA,
    staff(runtime, 'owner of B', ownerB, 'B', 'owner'),
    platformAdmin(runtime, root),
  ];
  const callerOf = (who: PersonName) => callers.find((c) => c.person === who)!;
  const ofOrg = (org: Org) => (c: Caller) => c.root === true || c.org === org;

  const markers: Marker[] = [
    { text: 'account of P1', seenBy: (c) => c.root === true || c.person === 'P1' },
    { text: 'account of P2', seenBy: (c) => c.root === true || c.person === 'P2' },
    { text: profiles.linked.address, seenBy: ofOrg('A') },
    { text: profiles.offered.address, seenBy: ofOrg('A') },
    { text: profiles.foreign.address, seenBy: ofOrg('B') },
    // A specialist's phone: staff of their organization only (the lists are public).
    { text: '+79517581001', seenBy: ofOrg('A') },
    { text: '+79517581002', seenBy: ofOrg('B') },
    { text: 'pending@a.example', seenBy: (c) => c.root === true || (c.org === 'A' && EDITORS.includes(c.role!)) },
    { text: 'pending@b.example', seenBy: (c) => c.root === true || (c.org === 'B' && EDITORS.includes(c.role!)) },
    // A staff user's home address: themself only.
    ...callers.filter((c) => c.email).map((c) => ({ text: homeOf(c.email!), seenBy: (v: Caller) => v.root === true || v.email === c.email })),
  ];

  return {
    runtime,
    callers,
    markers,
    fresh,
    people,
    /** After each cell that may link or unlink: P1 linked to A's record of them, P2's record in A only offered, as set up. */
    restoreLinks: async () => {
      await must('P1 links again', call(app, 'POST', `/api/v1/clients/me/links/${records.linked}/accept`, { token: callerOf('P1').token, body: {} }));
      await must('A unlinks the offered record', call(app, 'DELETE', `/api/v1/clients/${records.offered}/link`, { token: ownerA.token }));
    },
    /** After a password change of a person's account (which ends every session of it): the person signs in again. */
    signInAgain: async (_c: Caller, x: Target) => {
      if (x.account) callerOf(x.account).token = await signIn(runtime, people[x.account].phone);
    },
    refreshToken: async () => (await must('refresh token', call(app, 'POST', '/api/v1/auth/token', { body: { phone: people.P1.phone, password: PASSWORD } }))).refresh as string,
    /** Staff book a record of their organization with a price; a person books themself, without one. */
    bookingBody: (c: Caller, org: Org) =>
      c.kind === 'client'
        ? { specialist_id: specialists[org], start: nextStart(), duration: 30 }
        : { specialist_id: specialists[org], client_id: org === 'A' ? records.linked : records.foreign, start: nextStart(), duration: 30, service: 'Check-up', cost: rub(150000) },
    targets: {
      none: [{ label: '-', params: () => ({}) }] as Target[],
      orgs: (['A', 'B'] as const).map((org): Target => ({ label: org, org, params: () => ({ org: orgs[org] }) })),
      clients: [
        { label: "A's record linked to P1", org: 'A', linkedTo: 'P1', profile: profiles.linked, params: () => ({ client: records.linked, record: records.linked }) },
        { label: "A's record offered to P2", org: 'A', offeredTo: 'P2', profile: profiles.offered, params: () => ({ client: records.offered, record: records.offered }) },
        { label: "B's record", org: 'B', profile: profiles.foreign, params: () => ({ client: records.foreign, record: records.foreign }) },
        { label: "P1's account", account: 'P1', profile: { first_name: 'Pone', phone: people.P1.phone, address: 'account of P1' }, params: () => ({ client: people.P1.id, record: people.P1.id }) },
        { label: "P2's account", account: 'P2', profile: { first_name: 'Ptwo', phone: people.P2.phone, address: 'account of P2' }, params: () => ({ client: people.P2.id, record: people.P2.id }) },
      ] as Target[],
      /** Records under an organization's path, made afresh for each cell (the route removes them). */
      freshRecords: crossed('client', newRecord, orgs),
      members: [
        { label: "A's member", org: 'A', params: () => ({ org: orgs.A, user: specialistOfA }) },
        { label: "B's member", org: 'B', params: () => ({ org: orgs.B, user: memberB.id }) },
        { label: "B's member under A's path", org: 'B', pathOrg: 'A', params: () => ({ org: orgs.A, user: memberB.id }) },
      ] as Target[],
      freshMembers: crossed('user', newMember, orgs),
      freshInvitations: crossed('id', newInvitation, orgs),
      invitations: [
        { label: 'to my own email', mine: true, params: async (c) => ({ id: c.email ? await invite(runtime, C, ownerC, c.email, 'specialist') : randomUUID() }) },
        { label: "A's, to someone else", org: 'A', params: () => ({ id: pending.A }) },
        { label: "B's, to someone else", org: 'B', params: () => ({ id: pending.B }) },
      ] as Target[],
      places: byOrg('place', (org) => places[org]),
      freshPlaces: byOrg('place', newPlace),
      specialists: byOrg('id', (org) => specialists[org]),
      freshSpecialists: byOrg('id', (org) => newSpecialist(org)),
      appointments: appointmentsOf((kind) => appointments[kind]),
      freshAppointments: appointmentsOf(newAppointment),
    },
  };
}

/** A resource of A, of B, and of B under A's path; made afresh by `make` for each cell. */
function crossed(key: string, make: (org: Org) => Promise<string>, orgs: Record<Org, string>): Target[] {
  return [
    { label: "A's", org: 'A', params: async () => ({ org: orgs.A, [key]: await make('A') }) },
    { label: "B's", org: 'B', params: async () => ({ org: orgs.B, [key]: await make('B') }) },
    { label: "B's under A's path", org: 'B', pathOrg: 'A', params: async () => ({ org: orgs.A, [key]: await make('B') }) },
  ];
}

function byOrg(key: string, id: (org: Org) => string | Promise<string>): Target[] {
  return (['A', 'B'] as const).map((org) => ({ label: `${org}'s`, org, params: async () => ({ [key]: await id(org) }) }));
}

function appointmentsOf(id: (kind: 'linked' | 'offered' | 'foreign') => string | Promise<string>): Target[] {
  return [
    { label: "A's, of the record linked to P1", org: 'A', linkedTo: 'P1', params: async () => ({ id: await id('linked') }) },
    { label: "A's, of the record offered to P2 (not linked)", org: 'A', params: async () => ({ id: await id('offered') }) },
    { label: "B's", org: 'B', params: async () => ({ id: await id('foreign') }) },
  ];
}

// ---------------------------------------------------------------- the table

type World = Awaited<ReturnType<typeof setUp>>;

interface Row {
  /** The method and the url exactly as declared. */
  readonly route: string;
  readonly expect: Expect;
  readonly targets?: readonly Target[];
  readonly body?: (c: Caller, x: Target) => unknown;
  readonly query?: string;
  /** The call ends the session it is made with: use one of the caller's own made for it. */
  readonly freshSession?: boolean;
  readonly after?: (c: Caller, x: Target) => Promise<void>;
}

/** In order: destructive calls act on throwaway resources, restore what they change, or come last. */
function matrix(w: World): Row[] {
  const x = w.targets;
  const { P1 } = w.people;
  return [
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
    { route: 'PATCH /api/v1/users/me', expect: signedIn('staff'), body: () => ({ first_name: 'Checked' }) },
    { route: 'POST /api/v1/users/me/email/verify', expect: signedIn('staff') },
    { route: 'POST /api/v1/users/me/email/confirm', expect: signedIn('staff'), body: () => ({ code: '000000' }) },
    { route: 'POST /api/v1/users/me/phone/verify', expect: signedIn('staff') },
    { route: 'POST /api/v1/users/me/phone/confirm', expect: signedIn('staff'), body: () => ({ code: '000000' }) },

    // A person's account, or an organization's record of a client.
    { route: 'GET /api/v1/clients/me', expect: signedIn('client') },
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

    // Organizations, their client books, members and invitations.
    { route: 'POST /api/v1/organizations', expect: signedIn('staff'), body: (c) => ({ name: `Made by ${c.name}` }) },
    { route: 'GET /api/v1/organizations', expect: signedIn('staff') },
    { route: 'GET /api/v1/organizations/:org', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'PATCH /api/v1/organizations/:org', targets: x.orgs, expect: inOrganization(EDITORS), body: () => ({ description: 'checked' }) },
    { route: 'POST /api/v1/organizations/:org/clients', targets: x.orgs, expect: inOrganization(BOOKERS), body: () => ({ first_name: 'Walk-in', phone: w.fresh.phone() }) },
    { route: 'GET /api/v1/organizations/:org/clients', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'DELETE /api/v1/organizations/:org/clients/:client', targets: x.freshRecords, expect: inOrganization(BOOKERS) },
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

    // Booking and appointments (a person's booking links them where they book: after the link rows).
    { route: 'GET /api/v1/organizations/:org/appointments', targets: x.orgs, expect: inOrganization(ROLES) },
    { route: 'POST /api/v1/organizations/:org/appointments', targets: x.orgs, expect: booking, body: (c, t) => w.bookingBody(c, t.org!) },
    { route: 'GET /api/v1/appointments/:id', targets: x.appointments, expect: appointment(ROLES, true) },
    { route: 'PATCH /api/v1/appointments/:id', targets: x.appointments, expect: appointment(BOOKERS, false), body: () => ({ cost: rub(120000) }) },
    { route: 'POST /api/v1/appointments/:id/confirm', targets: x.freshAppointments, expect: appointment(ATTENDING, false) },
    { route: 'POST /api/v1/appointments/:id/complete', targets: x.freshAppointments, expect: appointment(ATTENDING, false) },
    { route: 'POST /api/v1/appointments/:id/no-show', targets: x.freshAppointments, expect: appointment(ATTENDING, false) },
    { route: 'POST /api/v1/appointments/:id/cancel', targets: x.freshAppointments, expect: appointment(BOOKERS, true), body: () => ({ reason: 'checked' }) },

    // Last: it would end the caller's account (every staff caller owns an organization alone by now, so it is a 409).
    { route: 'DELETE /api/v1/users/me', expect: signedIn('staff') },
  ];
}

// ---------------------------------------------------------------- the loop

const classOf = (status: number): Outcome | 'error' =>
  status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : status === 404 ? 'hidden' : (status >= 200 && status < 300) || [400, 409, 422, 429].includes(status) ? 'ok' : 'error';

/** A refusal says why and nothing else. */
const isErrorBody = (body: unknown) => body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).every((key) => key === 'detail' || key === 'errors'));

/** The texts frontends rely on (../shared/ARCHITECTURE.md, "HTTP conventions"); HEAD replies have no body. */
const CONVENTIONAL: Partial<Record<Outcome, string>> = { unauthenticated: 'Authentication credentials were not provided.', forbidden: 'You do not have permission to perform this action.' };
const saysConventionally = (outcome: Outcome, body: Record<string, unknown> | undefined) => body === undefined || CONVENTIONAL[outcome] === undefined || body.detail === CONVENTIONAL[outcome];

t.test('the authorization matrix: every route × every caller × own/foreign, linked/unlinked targets', async (t) => {
  const w = await setUp(t);
  const { app } = w.runtime;
  const declared = app.declaredRoutes().map((r) => `${r.method} ${r.url}`);
  const table = matrix(w);
  // HEAD answers as its GET does (fastify adds it): the same expectations, made with HEAD.
  const rows = table.flatMap((row) => {
    const head = row.route.replace(/^GET /, 'HEAD ');
    return head !== row.route && declared.includes(head) ? [row, { ...row, route: head }] : [row];
  });
  const inTable = rows.map((r) => r.route);

  t.same(declared.filter((r) => r.split(' ')[1]!.startsWith(API_PREFIX) && !inTable.includes(r)), [], 'every declared /api/ route has its row in the matrix (add new routes to the table)');
  t.same(inTable.filter((r) => !declared.includes(r)), [], 'every row names a declared route');
  t.same(inTable.filter((r, i) => inTable.indexOf(r) !== i), [], 'one row per route');

  const tally = { cells: 0, allowed: 0, business: 0, denied: 0 };
  const leaks: string[] = [];
  const falseDenials: string[] = [];
  const mismatches: string[] = [];
  for (const row of rows) {
    const [method, pattern] = row.route.split(' ') as [string, string];
    for (const target of row.targets ?? w.targets.none) {
      for (const caller of w.callers) {
        const expected = row.expect(caller, target);
        const params = await target.params(caller);
        const url =
          pattern.replace(/:(\w+)/g, (_, name: string) => {
            if (params[name] === undefined) throw new Error(`${row.route}: target "${target.label}" gives no :${name}`);
            return params[name];
          }) + (row.query ?? '');
        const token = row.freshSession ? await caller.fresh() : caller.token;
        const body = method === 'GET' || method === 'HEAD' ? undefined : await row.body?.(caller, target);
        const reply = await call(app, method as InjectOptions['method'], url, { token, body });
        await row.after?.(caller, target);

        const got = classOf(reply.status);
        const text = JSON.stringify(reply.body ?? null);
        const shown = w.markers.filter((m) => text.includes(m.text) && !m.seenBy(caller)).map((m) => m.text);
        const cell = `${row.route} | ${caller.name} → ${target.label}: expected ${expected}, got ${reply.status}${shown.length ? ` showing ${shown.join(', ')}` : ''} ${text.slice(0, 160)}`;
        tally.cells++;
        if (shown.length > 0) leaks.push(cell);
        else if (expected === 'ok') {
          if (got === 'ok') {
            tally.allowed++;
            if (reply.status >= 300) tally.business++;
          } else if (got === 'error') mismatches.push(cell);
          else falseDenials.push(cell);
        } else if (got === 'ok' || (expected === 'hidden' && got === 'forbidden') || (got === expected && !isErrorBody(reply.body))) leaks.push(cell);
        else if (got !== expected || !saysConventionally(got, reply.body)) mismatches.push(cell);
        else tally.denied++;
      }
    }
  }

  t.comment(`routes: ${rows.length} (${table.length} in the table, ${rows.length - table.length} HEAD), callers: ${w.callers.length}`);
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
