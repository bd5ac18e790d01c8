import { call, smsCode, type TestRuntime } from './runtime.js';
import { addMember, organizationOf, staffMember, type StaffMember } from './staff.js';

// A clinic to book in: an owner, a manager, places, specialists with hours,
// and clients who can sign in (with the clinic's record of them, linked).

const PASSWORD = 'client1client1';

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
  /** The person's account. */
  readonly id: string;
  /** The clinic's record of them, linked to the account (when made with `joins`). */
  readonly record: string | undefined;
  readonly phone: string;
  token: string;
}

/**
 * A client who registered by phone with a password, verified the phone with
 * the code the SMS brought, and signed in. With `joins`, the clinic's owner
 * added a record of them and the person accepted the link: staff book them
 * by `record`.
 */
export async function client(runtime: TestRuntime, phone: string, joins?: Clinic): Promise<Client> {
  const { app } = runtime;
  const registered = await call(app, 'POST', '/api/v1/auth/register', { body: { phone, password: PASSWORD } });
  if (registered.status !== 201) throw new Error(`client ${phone}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const id = registered.body.client_id as string;
  const verified = await call(app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code: await smsCode(runtime, phone) } });
  if (verified.status !== 200) throw new Error(`verifying ${phone}: ${verified.status} ${JSON.stringify(verified.body)}`);
  const token = await clientToken(runtime, phone);
  const record = joins ? await linkedRecord(runtime, joins, phone, token) : undefined;
  return { id, record, phone, token };
}

/** The clinic adds a record of the person (by their phone); the person accepts the link. */
export async function linkedRecord(runtime: TestRuntime, c: Clinic, phone: string, token: string): Promise<string> {
  const added = await call(runtime.app, 'POST', `/api/v1/organizations/${c.org}/clients`, { token: c.owner.token, body: { first_name: 'Client', phone } });
  if (added.status !== 201) throw new Error(`record of ${phone}: ${added.status} ${JSON.stringify(added.body)}`);
  const record = added.body.id as string;
  const accepted = await call(runtime.app, 'POST', `/api/v1/clients/me/links/${record}/accept`, { token, body: {} });
  if (accepted.status !== 200) throw new Error(`linking ${record}: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return record;
}

/** A record of the clinic that no account is linked to (staff added someone who never signed up). */
export async function recordOf(runtime: TestRuntime, c: Clinic, phone: string, firstName = 'Walk-in'): Promise<string> {
  const added = await call(runtime.app, 'POST', `/api/v1/organizations/${c.org}/clients`, { token: c.owner.token, body: { first_name: firstName, phone } });
  if (added.status !== 201) throw new Error(`record of ${phone}: ${added.status} ${JSON.stringify(added.body)}`);
  return added.body.id as string;
}

export async function clientToken(runtime: TestRuntime, phone: string): Promise<string> {
  const token = await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone, password: PASSWORD } });
  if (token.status !== 200) throw new Error(`token of ${phone}: ${token.status} ${JSON.stringify(token.body)}`);
  return token.body.access as string;
}

export const rub = (amount: number) => ({ amount, currency: 'RUB' });

/** Staff book: a service and a price by default (a client booking for themself sets neither: `bookSelf`). */
export async function book(runtime: TestRuntime, org: string, token: string, body: Record<string, unknown>) {
  return call(runtime.app, 'POST', `/api/v1/organizations/${org}/appointments`, { token, body: { duration: 60, cost: rub(300000), service: 'Massage', ...body } });
}

/** A client books themself. */
export async function bookSelf(runtime: TestRuntime, org: string, token: string, body: Record<string, unknown>) {
  return call(runtime.app, 'POST', `/api/v1/organizations/${org}/appointments`, { token, body: { duration: 60, ...body } });
}
