import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { acceptRecord, addRecord, PASSWORD, person, signIn, type Person } from './clients.js';
import { call, startRuntime } from './runtime.js';
import { addMember, invite, organizationOf, staffMember, verifyEmail, type StaffMember } from './staff.js';
import { anonymous, client, CLOCK, EDITORS, grantPlatformAdmin, HOURS, platformAdmin, rub, staff, type Caller, type Marker, type Org, type PersonName, type Target } from './trust-matrix-rules.js';

// The world of the authorization matrix (trust-matrix-rules.ts): two
// organizations with every role, people linked to and offered records, and
// the targets the table's rows act on.

/** A public address as a literal (TEST-NET-3: registering it needs no DNS, and no one answers it). */
export const WEBHOOK_URL = 'https://203.0.113.10/hooks';

export async function setUp(t: Test) {
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
  const newService = async (org: Org) =>
    (await must('service', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/services`, { token: owners[org].token, body: { name: `Service ${org}`, duration_minutes: 30, price: rub(150000), specialist_ids: [specialists[org]] } }))).id as string;
  const services: Record<Org, string> = { A: await newService('A'), B: await newService('B') };
  const bookingOf = (kind: keyof typeof records) => (kind === 'foreign' ? 'B' : 'A') as Org;
  const newAppointment = async (kind: keyof typeof records) => {
    const org = bookingOf(kind);
    const body = { specialist_id: specialists[org], client_id: records[kind], start: nextStart(), duration: 30, service: 'Check-up', cost: rub(150000) };
    return (await must('appointment', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/appointments`, { token: owners[org].token, body }))).id as string;
  };
  const appointments = { linked: await newAppointment('linked'), offered: await newAppointment('offered'), foreign: await newAppointment('foreign') };
  // The waitlist: a service of each organization that no specialist offers, so no time a cell frees is ever offered.
  const newIdleService = async (org: Org) =>
    (await must('service', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/services`, { token: owners[org].token, body: { name: 'Waitlisted', duration_minutes: 30, price: rub(150000), specialist_ids: [] } }))).id as string;
  const idleServices: Record<Org, string> = { A: await newIdleService('A'), B: await newIdleService('B') };
  const waitlistWindow = { from_date: '2027-03-20', to_date: '2027-03-21' };
  const newWaitlistEntry = async (kind: keyof typeof records) => {
    const org = bookingOf(kind);
    const body = { client_id: records[kind], service_id: idleServices[org], ...waitlistWindow };
    return (await must('waitlist entry', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/waitlist`, { token: owners[org].token, body }))).id as string;
  };
  const waitlistEntries = { linked: await newWaitlistEntry('linked'), offered: await newWaitlistEntry('offered'), foreign: await newWaitlistEntry('foreign') };
  // Calendar feeds: made by each organization's owner; the URL's token is the right to read it.
  const newFeed = async (org: Org) => (await must('calendar feed', call(app, 'POST', `/api/v1/specialists/${specialists[org]}/calendar-feeds`, { token: owners[org].token, body: {} }))).id as string;
  const feedToken = async (org: Org) => {
    const url = (await must('calendar feed', call(app, 'POST', `/api/v1/specialists/${specialists[org]}/calendar-feeds`, { token: owners[org].token, body: {} }))).url as string;
    return /\/calendar\/([^/]+)\.ics$/.exec(url)![1]!;
  };
  const feedTokens: Record<Org, string> = { A: await feedToken('A'), B: await feedToken('B') };
  // Webhooks of each organization, to a public address, for reschedules (no cell reschedules, so nothing is ever posted).
  const newWebhook = async (org: Org) =>
    (await must('webhook', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/webhooks`, { token: owners[org].token, body: { url: WEBHOOK_URL, event_types: ['appointment.rescheduled'] } }))).id as string;
  const webhooks: Record<Org, string> = { A: await newWebhook('A'), B: await newWebhook('B') };
  let seriesSlot = 0;
  /** A weekly series of two at half past an hour (single bookings take the hours), so it meets no booking, not even a week on. */
  const newSeries = async (kind: keyof typeof records) => {
    const org = bookingOf(kind);
    const day = new Date(Date.UTC(2027, 2, 2) + Math.floor(seriesSlot / 12) * 86_400_000).toISOString().slice(0, 10);
    const start = `${day}T${String(8 + (seriesSlot++ % 12)).padStart(2, '0')}:30:00+03:00`;
    const body = { specialist_id: specialists[org], client_id: records[kind], start, duration: 30, repeat: { every_weeks: 1, count: 2 } };
    return (await must('series', call(app, 'POST', `/api/v1/organizations/${orgs[org]}/appointments`, { token: owners[org].token, body }))).series_id as string;
  };
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
    /** Staff put a record of theirs on the waitlist; a person joins it themself. */
    waitlistBody: (c: Caller, org: Org) =>
      c.kind === 'client'
        ? { service_id: idleServices[org], ...waitlistWindow }
        : { client_id: org === 'A' ? records.linked : records.foreign, service_id: idleServices[org], ...waitlistWindow },
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
      services: byOrg('service', (org) => services[org]),
      freshServices: byOrg('service', newService),
      /** A service under its own organization's path. */
      servicesOfOrgs: (['A', 'B'] as const).map((org): Target => ({ label: `${org}'s`, org, params: () => ({ org: orgs[org], service: services[org] }) })),
      appointments: appointmentsOf((kind) => appointments[kind]),
      freshAppointments: appointmentsOf(newAppointment),
      waitlist: appointmentsOf((kind) => waitlistEntries[kind]),
      freshWaitlist: appointmentsOf(newWaitlistEntry),
      freshSeries: appointmentsOf(newSeries, 'series'),
      freshCalendarFeeds: byOrg('id', newFeed),
      calendarFeedTokens: byOrg('token', (org) => feedTokens[org]),
      webhooks: byOrg('id', (org) => webhooks[org]),
      freshWebhooks: byOrg('id', newWebhook),
    },
  };
}

/** A resource of A, of B, and of B under A's path; made afresh by `make` for each cell. */
export function crossed(key: string, make: (org: Org) => Promise<string>, orgs: Record<Org, string>): Target[] {
  return [
    { label: "A's", org: 'A', params: async () => ({ org: orgs.A, [key]: await make('A') }) },
    { label: "B's", org: 'B', params: async () => ({ org: orgs.B, [key]: await make('B') }) },
    { label: "B's under A's path", org: 'B', pathOrg: 'A', params: async () => ({ org: orgs.A, [key]: await make('B') }) },
  ];
}

export function byOrg(key: string, id: (org: Org) => string | Promise<string>): Target[] {
  return (['A', 'B'] as const).map((org) => ({ label: `${org}'s`, org, params: async () => ({ [key]: await id(org) }) }));
}

/** `key`: the path parameter naming them (a series of appointments is `series`). */
export function appointmentsOf(id: (kind: 'linked' | 'offered' | 'foreign') => string | Promise<string>, key = 'id'): Target[] {
  return [
    { label: "A's, of the record linked to P1", org: 'A', linkedTo: 'P1', params: async () => ({ [key]: await id('linked') }) },
    { label: "A's, of the record offered to P2 (not linked)", org: 'A', params: async () => ({ [key]: await id('offered') }) },
    { label: "B's", org: 'B', params: async () => ({ [key]: await id('foreign') }) },
  ];
}
