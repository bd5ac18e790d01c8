import { loadSigningKeys } from '../../src/auth/keys.js';
import { startSession } from '../../src/auth/sessions.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { userDecider } from '../../src/commands/identity/user.js';
import { userStream } from '../../src/events/identity/user.js';
import { call, type TestRuntime } from './runtime.js';
import { book, clinic, client, everyDay, place, recordOf, specialist } from './scheduling.js';
import { staffMember } from './staff.js';

// The small world the fuzzer attacks (test/helpers/fuzz.ts): two clinics,
// their staff, a place, a specialist with hours, clients with records, an
// appointment, and the kinds of caller that may knock on any route.

export interface FuzzCaller {
  readonly name: string;
  /** The Authorization header to send, minted afresh for each operation (a fuzzed logout or password change ends sessions). */
  readonly authorization: () => Promise<string | undefined>;
}

export interface FuzzWorld {
  /** Ids the generator names in paths and bodies, by what they identify (`org`, `client`, `specialists`...). */
  readonly ids: Record<string, string[]>;
  /** Phones in the world (taken and not), for bodies that name a phone. */
  readonly phones: string[];
  /** A day the specialists work, YYYY-MM-DD, and a time on it inside the hours. */
  readonly day: string;
  readonly start: string;
  readonly callers: readonly FuzzCaller[];
}

const HOURS = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '08:00', end: '20:00' }]), min_notice_minutes: 0 };
const SYSTEM = { actor: { kind: 'system' as const }, correlationId: 'fuzz-world', causationId: 'fuzz-world' };

function session(runtime: TestRuntime, id: string, kind: 'client' | 'user'): () => Promise<string> {
  return async () => `Bearer ${(await startSession(runtime.connection.db, runtime.deps.tokens, { id, kind }, runtime.deps.now())).access}`;
}

/** A token signed with the service's own key, expired an hour ago. */
async function expiredToken(runtime: TestRuntime, userId: string): Promise<string> {
  const keys = await loadSigningKeys({ privateJwk: runtime.config.jwt.privateJwk, dataDir: runtime.config.dataDir });
  const { issuer, audience } = runtime.config.jwt;
  const past = createTokenService({ keys, issuer, audience, accessTtlSeconds: 60, now: () => new Date(Date.now() - 3_600_000) });
  return `Bearer ${(await past.issueAccess({ sub: userId, kind: 'user', sid: '00000000-0000-4000-8000-000000000000' })).token}`;
}

/**
 * Runs `seed` with a patient read-your-writes wait (up to ten times the
 * configured one): on a busy machine a seeding write may answer 202, which
 * the helpers rightly refuse, while the fuzz itself must keep the configured
 * wait, since a projection an attack broke would make every later write wait.
 */
async function patiently<T>(runtime: TestRuntime, seed: () => Promise<T>): Promise<T> {
  const deps = runtime.deps as { awaitProjections: TestRuntime['deps']['awaitProjections'] };
  const configured = deps.awaitProjections;
  deps.awaitProjections = async (position, projections) => {
    for (let tries = 0; tries < 10; tries++) if (await configured(position, projections)) return true;
    return false;
  };
  try {
    return await seed();
  } finally {
    deps.awaitProjections = configured;
  }
}

/** Seeds the world through the public routes (and the platform admin the way the CLI makes one). */
export function seedWorld(runtime: TestRuntime): Promise<FuzzWorld> {
  return patiently(runtime, () => seed(runtime));
}

async function seed(runtime: TestRuntime): Promise<FuzzWorld> {
  const alpha = await clinic(runtime, 'Alpha');
  const beta = await clinic(runtime, 'Beta');
  const room = await place(runtime, alpha, 'Room 1');
  const betaRoom = await place(runtime, beta, 'Beta room');
  const therapist = await specialist(runtime, alpha, 'Therapist', HOURS);
  const betaTherapist = await specialist(runtime, beta, 'Beta therapist', HOURS);
  const p1 = await client(runtime, '+79161110001', alpha);
  const p2 = await client(runtime, '+79161110002', beta);
  const walkIn = await recordOf(runtime, alpha, '+79161110003');
  const offered = await recordOf(runtime, alpha, p2.phone, 'Offered');

  const admin = await staffMember(runtime, 'root@fuzz.example');
  const granted = await runtime.deps.handle(userDecider, userStream(admin.id), { type: 'GrantPlatformAdmin', data: { userId: admin.id, now: new Date().toISOString() } }, SYSTEM);
  await runtime.deps.awaitProjections(granted.position, ['users']);

  const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const start = `${day}T10:00:00+03:00`;
  const booked = await book(runtime, alpha.org, alpha.owner.token, { specialist_id: therapist, client_id: p1.record, start });
  if (booked.status !== 201 && booked.status !== 202) throw new Error(`booking: ${booked.status} ${JSON.stringify(booked.body)}`);
  const invited = await call(runtime.app, 'POST', `/api/v1/organizations/${alpha.org}/invitations`, { token: alpha.owner.token, body: { email: 'new@fuzz.example', role: 'specialist' } });
  if (invited.status !== 201) throw new Error(`inviting: ${invited.status} ${JSON.stringify(invited.body)}`);

  const service = await call(runtime.app, 'POST', `/api/v1/organizations/${alpha.org}/services`, { token: alpha.owner.token, body: { name: 'Massage', duration_minutes: 60, price: { amount: 300000, currency: 'RUB' }, specialist_ids: [therapist] } });
  if (service.status !== 201) throw new Error(`adding a service: ${service.status} ${JSON.stringify(service.body)}`);

  const expired = await expiredToken(runtime, alpha.owner.id);
  const callers: FuzzCaller[] = [
    { name: 'anonymous', authorization: async () => undefined },
    { name: 'client', authorization: session(runtime, p1.id, 'client') },
    { name: 'other client', authorization: session(runtime, p2.id, 'client') },
    { name: 'owner', authorization: session(runtime, alpha.owner.id, 'user') },
    { name: 'manager', authorization: session(runtime, alpha.manager.id, 'user') },
    { name: 'other org staff', authorization: session(runtime, beta.owner.id, 'user') },
    { name: 'platform admin', authorization: session(runtime, admin.id, 'user') },
    { name: 'bad token', authorization: async () => 'Bearer not.a.token' },
    { name: 'expired token', authorization: async () => expired },
  ];
  return {
    ids: {
      org: [alpha.org, beta.org],
      client: [p1.id, p2.id, p1.record!, walkIn, offered],
      record: [p1.record!, walkIn, offered],
      user: [alpha.owner.id, alpha.manager.id, beta.owner.id, admin.id],
      place: [room, betaRoom],
      specialists: [therapist, betaTherapist],
      specialist: [therapist, betaTherapist],
      appointments: [booked.body.id as string],
      invitations: [invited.body.id as string],
      service: [service.body.id as string],
    },
    phones: [p1.phone, p2.phone, '+79161110003', '+79161119999'],
    day,
    start,
    callers,
  };
}
