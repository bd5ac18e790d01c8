import { userDecider } from '../../src/commands/identity/user.js';
import { ROLES, type Role } from '../../src/events/organizations/organization.js';
import { userStream } from '../../src/events/identity/user.js';
import { signIn, type Person } from './clients.js';
import type { TestRuntime } from './runtime.js';
import { everyDay } from './scheduling.js';
import { STAFF_PASSWORD, staffToken, type StaffMember } from './staff.js';

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
//
// This file holds the callers, the targets and the rules; the world they act
// in is trust-matrix-world.ts, the table and its walk trust-matrix-table.ts.

export type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'hidden';
export type Org = 'A' | 'B';
export type PersonName = 'P1' | 'P2';
export type Params = Record<string, string>;

export const CLOCK = new Date('2027-03-01T06:00:00Z');
export const HOURS = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0 };
export const EDITORS: readonly Role[] = ['owner', 'admin'];
export const BOOKERS: readonly Role[] = ['owner', 'admin', 'manager'];
export const ATTENDING: readonly Role[] = ['owner', 'admin', 'manager', 'specialist'];
export const CLIENT_ROLES = { read: ROLES, write: BOOKERS, history: ['owner', 'admin', 'auditor'] } as const satisfies Record<string, readonly Role[]>;
export const REASON = 'authorization matrix';
export const rub = (amount: number) => ({ amount, currency: 'RUB' });

// ---------------------------------------------------------------- callers

export interface Caller {
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

export function anonymous(): Caller {
  return { name: 'anonymous', kind: 'anonymous', token: undefined, fresh: async () => undefined };
}

export function client(runtime: TestRuntime, name: PersonName, who: Person): Caller {
  return { name: `client ${name}`, kind: 'client', person: name, password: who.password, token: who.token, fresh: () => signIn(runtime, who.phone, who.password) };
}

export function staff(runtime: TestRuntime, name: string, member: StaffMember, org: Org, role: Role): Caller {
  return { name, kind: 'staff', org, role, email: member.email, password: STAFF_PASSWORD, token: member.token, fresh: () => staffToken(runtime, member.id) };
}

export function platformAdmin(runtime: TestRuntime, member: StaffMember): Caller {
  return { name: 'platform admin', kind: 'staff', root: true, email: member.email, password: STAFF_PASSWORD, token: member.token, fresh: () => staffToken(runtime, member.id) };
}

/** A staff user made platform admin the way the CLI does it: GrantPlatformAdmin appended to their stream. */
export async function grantPlatformAdmin(runtime: TestRuntime, member: StaffMember): Promise<void> {
  const { position } = await runtime.deps.handle(
    userDecider,
    userStream(member.id),
    { type: 'GrantPlatformAdmin', data: { userId: member.id, now: CLOCK.toISOString() } },
    { actor: { kind: 'system' }, correlationId: 'trust-matrix', causationId: 'trust-matrix' },
  );
  await runtime.deps.awaitProjections(position, ['users']);
}

// ---------------------------------------------------------------- targets

export interface Target {
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
export interface Marker {
  readonly text: string;
  readonly seenBy: (caller: Caller) => boolean;
}

// ---------------------------------------------------------------- rules

export type Expect = (caller: Caller, target: Target) => Outcome;

export const anyone: Expect = () => 'ok';

/** A valid token of one of these kinds (a platform admin is staff). */
export const signedIn =
  (...kinds: ('client' | 'staff')[]): Expect =>
  (c) =>
    c.kind === 'anonymous' ? 'unauthenticated' : kinds.includes(c.kind) ? 'ok' : 'forbidden';

/** Staff of the target's organization with one of the roles; other members 403; anyone else 404; a platform admin passes. */
export const staffRule = (roles: readonly Role[], c: Caller, x: Target): Outcome => {
  if (c.root) return 'ok';
  if (c.org !== (x.pathOrg ?? x.org)) return 'hidden';
  return roles.includes(c.role!) ? 'ok' : 'forbidden';
};

/** Staff-only routes of an organization, its places, specialists, members, invitations. A resource of another organization under this organization's path does not exist there, for anyone. */
export const inOrganization =
  (roles: readonly Role[]): Expect =>
  (c, x) => {
    if (c.kind !== 'staff') return c.kind === 'anonymous' ? 'unauthenticated' : 'forbidden';
    const outcome = staffRule(roles, c, x);
    return outcome === 'ok' && x.pathOrg !== undefined && x.pathOrg !== x.org ? 'hidden' : outcome;
  };

/** `/clients/{id}`: a person reaches their own account only; staff their organization's records only (by role); a platform admin both. */
export const clientOrRecord =
  (action: keyof typeof CLIENT_ROLES): Expect =>
  (c, x) => {
    if (c.kind === 'anonymous') return 'unauthenticated';
    if (c.kind === 'client') return x.account === c.person ? 'ok' : 'hidden';
    if (x.account !== undefined) return c.root ? 'ok' : 'hidden';
    return staffRule(CLIENT_ROLES[action], c, x);
  };

/** A record has no password (it is not a login): whoever may write the record is refused this field, platform admin included. */
export const passwordOfAccountOnly: Expect = (c, x) => {
  const outcome = clientOrRecord('write')(c, x);
  return outcome === 'ok' && x.account === undefined ? 'forbidden' : outcome;
};

/** The organization unlinks its record (staff route); an account id is no record here, for a platform admin too. */
export const organizationUnlinks: Expect = (c, x) => {
  if (c.kind === 'client') return 'forbidden';
  if (c.root && x.account !== undefined) return 'hidden';
  return clientOrRecord('write')(c, x);
};

/** `/clients/me/links/{record}`: clients only; their own linked record, or (accepting) a record offered to them. */
export const myRecords =
  (acceptsOffers: boolean): Expect =>
  (c, x) => {
    if (c.kind !== 'client') return c.kind === 'anonymous' ? 'unauthenticated' : 'forbidden';
    if (x.linkedTo === c.person) return 'ok';
    return acceptsOffers && x.offeredTo === c.person ? 'ok' : 'hidden';
  };

/** An appointment: staff by role; the person linked to its record reads (and cancels, when `clientMay`) it, 403 for the rest; any other person 404. */
export const appointment =
  (roles: readonly Role[], clientMay: boolean): Expect =>
  (c, x) => {
    if (c.kind === 'anonymous') return 'unauthenticated';
    if (c.kind === 'client') return x.linkedTo !== c.person ? 'hidden' : clientMay ? 'ok' : 'forbidden';
    return staffRule(roles, c, x);
  };

/** Booking: owner, admin, manager of the organization; a person books themself at any organization. */
export const booking: Expect = (c, x) => (c.kind === 'client' ? 'ok' : appointment(BOOKERS, false)(c, x));

/** An invitation is answered by the person it was sent to, nobody else (a platform admin does not answer for someone). */
export const invitee: Expect = (c, x) => (c.kind !== 'staff' ? (c.kind === 'anonymous' ? 'unauthenticated' : 'forbidden') : x.mine ? 'ok' : 'hidden');
