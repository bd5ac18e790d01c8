import { clientDecider } from '../../src/commands/client.js';
import { clientStream } from '../../src/events/client.js';
import { call, type TestRuntime } from './runtime.js';
import { addMember, organizationOf, staffMember, type StaffMember } from './staff.js';

// A clinic to book in: an owner, a manager, places, specialists with hours,
// and clients who can sign in.

export interface Clinic {
  readonly org: string;
  readonly owner: StaffMember;
  readonly manager: StaffMember;
}

export async function clinic(runtime: TestRuntime, name = 'Clinic'): Promise<Clinic> {
  const slug = name.toLowerCase().replace(/\W+/g, '-');
  const owner = await staffMember(runtime, `owner@${slug}.example`);
  const manager = await staffMember(runtime, `manager@${slug}.example`);
  const org = await organizationOf(runtime, owner, name);
  await addMember(runtime, org, owner, manager, 'manager');
  return { org, owner, manager };
}

export async function place(runtime: TestRuntime, c: Clinic, name: string): Promise<string> {
  const created = await call(runtime.app, 'POST', `/api/v1/organizations/${c.org}/places`, { token: c.owner.token, body: { name } });
  if (created.status !== 201) throw new Error(`place ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** A specialist with working hours (`hours` is the PUT body). */
export async function specialist(runtime: TestRuntime, c: Clinic, name: string, hours: Record<string, unknown>): Promise<string> {
  const created = await call(runtime.app, 'POST', `/api/v1/organizations/${c.org}/specialists`, { token: c.owner.token, body: { name, specialty: 'therapist' } });
  if (created.status !== 201) throw new Error(`specialist ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const set = await call(runtime.app, 'PUT', `/api/v1/specialists/${id}/working-hours`, { token: c.owner.token, body: hours });
  if (set.status !== 200) throw new Error(`hours of ${name}: ${set.status} ${JSON.stringify(set.body)}`);
  return id;
}

/** Every day of the week, the same intervals. */
export const everyDay = (intervals: { start: string; end: string; place_id?: string | null }[]) =>
  [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => intervals.map((i) => ({ weekday, ...i })));

export interface Client {
  readonly id: string;
  readonly phone: string;
  token: string;
}

/** A client who registered by phone with a password, signed in; `joins` makes them a client of an organization. */
export async function client(runtime: TestRuntime, phone: string, joins?: Clinic): Promise<Client> {
  const password = 'client1client1';
  const registered = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone, password } });
  if (registered.status !== 201) throw new Error(`client ${phone}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const id = registered.body.client_id as string;
  if (joins) {
    const metadata = { actor: { kind: 'system' as const }, correlationId: 'test', causationId: 'test' };
    const joined = await runtime.services.handle(clientDecider, clientStream(id), { type: 'JoinOrganization', data: { organizationId: joins.org, now: runtime.services.now().toISOString() } }, metadata);
    await runtime.services.awaitProjections(joined.position, ['clients']);
  }
  return { id, phone, token: await clientToken(runtime, phone) };
}

export async function clientToken(runtime: TestRuntime, phone: string): Promise<string> {
  const token = await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone, password: 'client1client1' } });
  if (token.status !== 200) throw new Error(`token of ${phone}: ${token.status} ${JSON.stringify(token.body)}`);
  return token.body.access as string;
}

export const rub = (amount: number) => ({ amount, currency: 'RUB' });

export async function book(runtime: TestRuntime, org: string, token: string, body: Record<string, unknown>) {
  return call(runtime.app, 'POST', `/api/v1/organizations/${org}/appointments`, { token, body: { duration: 60, cost: rub(300000), service: 'Massage', ...body } });
}
