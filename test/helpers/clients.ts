import { START } from '../../src/store/port.js';
import type { TestRuntime } from './runtime.js';
import { call, smsCode } from './runtime.js';

// People who book: registered by phone, verified with the SMS code, signed in,
// all through the public routes.

export interface Person {
  readonly id: string;
  readonly phone: string;
  readonly password: string;
  readonly token: string;
}

export const PASSWORD = 'person-password';

/** Registers `phone`, verifies it with the code the worker sent, and signs in. */
export async function person(runtime: TestRuntime, phone: string, profile: Record<string, unknown> = {}, password = PASSWORD): Promise<Person> {
  const from = runtime.logs.length;
  const registered = await call(runtime.app, 'POST', '/api/v1/auth/register', { body: { phone, password, ...profile } });
  if (registered.status !== 201) throw new Error(`registering ${phone}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const code = await smsCode(runtime, phone, from);
  const verified = await call(runtime.app, 'POST', '/api/v1/auth/phone/verify', { body: { phone, code } });
  if (verified.status !== 200) throw new Error(`verifying ${phone}: ${verified.status} ${JSON.stringify(verified.body)}`);
  return { id: registered.body.client_id as string, phone, password, token: await signIn(runtime, phone, password) };
}

export async function signIn(runtime: TestRuntime, phone: string, password = PASSWORD): Promise<string> {
  const token = await call(runtime.app, 'POST', '/api/v1/auth/token', { body: { phone, password } });
  if (token.status !== 200) throw new Error(`signing in ${phone}: ${token.status} ${JSON.stringify(token.body)}`);
  return token.body.access as string;
}

/** Staff add a client record to their organization; returns the record id. */
export async function addRecord(runtime: TestRuntime, organizationId: string, token: string, body: Record<string, unknown>): Promise<string> {
  const added = await call(runtime.app, 'POST', `/api/v1/organizations/${organizationId}/clients`, { token, body });
  if (added.status !== 201) throw new Error(`adding a client: ${added.status} ${JSON.stringify(added.body)}`);
  return added.body.id as string;
}

/** The person links an offered record. */
export async function acceptRecord(runtime: TestRuntime, person: Person, recordId: string, share: string[] = []): Promise<void> {
  const accepted = await call(runtime.app, 'POST', `/api/v1/clients/me/links/${recordId}/accept`, { token: person.token, body: { share } });
  if (accepted.status !== 200) throw new Error(`accepting ${recordId}: ${accepted.status} ${JSON.stringify(accepted.body)}`);
}

/** Event types of one stream, oldest first. */
export async function streamTypes(runtime: TestRuntime, stream: string): Promise<string[]> {
  return (await runtime.store.readStream(stream)).map((e) => e.type);
}

/** The data of every event of `type` in the log, as the store reads it (personal fields decrypted). */
export async function loggedData<T>(runtime: TestRuntime, type: string): Promise<T[]> {
  return (await runtime.store.readAll({ from: START, limit: 1_000_000 })).filter((e) => e.type === type).map((e) => e.data as T);
}

/** How many events the log holds (to show a refused request appended nothing). */
export async function eventCount(runtime: TestRuntime): Promise<number> {
  const row = await runtime.connection.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
