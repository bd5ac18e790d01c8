import { startSession } from '../../src/auth/sessions.js';
import type { TestRuntime } from './runtime.js';
import { call } from './runtime.js';

export interface StaffMember {
  readonly id: string;
  readonly email: string;
  /** A staff access token (kind 'user'), bound to a fresh session. */
  readonly token: string;
}

/**
 * Registers a staff user through POST /api/v1/users and opens a session for
 * them directly (staff login by email is another route's business).
 */
export async function staffMember(runtime: TestRuntime, email: string, profile: Record<string, string> = {}): Promise<StaffMember> {
  const created = await call(runtime.app, 'POST', '/api/v1/users', { body: { email, password: 'staff-password', ...profile } });
  if (created.status !== 201) throw new Error(`registering ${email}: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  return { id, email, token: await staffToken(runtime, id) };
}

export async function staffToken(runtime: TestRuntime, userId: string): Promise<string> {
  const { db, tokens, now } = runtime.services;
  return (await startSession(db, tokens, { id: userId, kind: 'user' }, now())).access;
}

/** Creates an organization as `owner` and returns its id. */
export async function organizationOf(runtime: TestRuntime, owner: StaffMember, name = 'Clinic'): Promise<string> {
  const created = await call(runtime.app, 'POST', '/api/v1/organizations', { token: owner.token, body: { name } });
  if (created.status !== 201) throw new Error(`creating ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** Adds `member` to the organization with a role, acting as `by`. */
export async function addMember(runtime: TestRuntime, organizationId: string, by: StaffMember, member: StaffMember, role: string): Promise<void> {
  const added = await call(runtime.app, 'POST', `/api/v1/organizations/${organizationId}/members`, { token: by.token, body: { user_id: member.id, role } });
  if (added.status !== 201) throw new Error(`adding ${member.email} as ${role}: ${added.status} ${JSON.stringify(added.body)}`);
}
