import { staffLoginCandidates } from '../../src/projections/identity/users.js';
import { startSession } from '../../src/auth/sessions.js';
import type { TestRuntime } from './runtime.js';
import { call, sentCode, smsCode } from './runtime.js';

export interface StaffMember {
  readonly id: string;
  readonly email: string;
  /** A staff access token (kind 'user'), bound to a fresh session. */
  readonly token: string;
}

/** The password every staffMember registers with. */
export const STAFF_PASSWORD = 'staff-password';

/**
 * Registers a staff user through POST /api/v1/users and opens a session for
 * them directly (staff login by email is another route's business).
 */
export async function staffMember(runtime: TestRuntime, email: string, profile: Record<string, string> = {}): Promise<StaffMember> {
  const created = await call(runtime.app, 'POST', '/api/v1/users', { body: { email, password: STAFF_PASSWORD, ...profile } });
  if (created.status !== 201) throw new Error(`registering ${email}: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  return { id, email: created.body.email as string, token: await staffToken(runtime, id) };
}

export async function staffToken(runtime: TestRuntime, userId: string): Promise<string> {
  const { db, tokens, now } = runtime.deps;
  return (await startSession(db, tokens, { id: userId, kind: 'user' }, now())).access;
}

/** The code in the last email the console provider "sent" to `email` after log line `after`, waiting for the worker. */
export const emailCode = (runtime: { logs: string[] }, email: string, after = 0, timeoutMs?: number) => sentCode(runtime, 'email', email, after, timeoutMs);

/** The member proves their email through the real routes: a code is emailed, read from the log and confirmed. */
export async function verifyEmail(runtime: TestRuntime, member: StaffMember): Promise<void> {
  const me = await call(runtime.app, 'GET', '/api/v1/users/me', { token: member.token });
  if (me.body.confirmed_email === true) return;
  const after = runtime.logs.length;
  const sent = await call(runtime.app, 'POST', '/api/v1/users/me/email/verify', { token: member.token });
  if (sent.status !== 202) throw new Error(`verifying ${member.email}: ${sent.status} ${JSON.stringify(sent.body)}`);
  const code = await emailCode(runtime, me.body.email as string, after);
  const confirmed = await call(runtime.app, 'POST', '/api/v1/users/me/email/confirm', { token: member.token, body: { code } });
  if (confirmed.status !== 200) throw new Error(`confirming ${member.email}: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
}

/** The member proves their phone (E.164) through the real routes: a code by SMS, read from the log and confirmed. */
export async function verifyPhone(runtime: TestRuntime, member: StaffMember, phone: string): Promise<void> {
  const after = runtime.logs.length;
  const sent = await call(runtime.app, 'POST', '/api/v1/users/me/phone/verify', { token: member.token });
  if (sent.status !== 202) throw new Error(`verifying ${phone}: ${sent.status} ${JSON.stringify(sent.body)}`);
  const code = await smsCode(runtime, phone, after);
  const confirmed = await call(runtime.app, 'POST', '/api/v1/users/me/phone/confirm', { token: member.token, body: { code } });
  if (confirmed.status !== 200) throw new Error(`confirming ${phone}: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
}

/** Creates an organization as `owner` and returns its id. */
export async function organizationOf(runtime: TestRuntime, owner: StaffMember, name = 'Clinic'): Promise<string> {
  const created = await call(runtime.app, 'POST', '/api/v1/organizations', { token: owner.token, body: { name } });
  if (created.status !== 201) throw new Error(`creating ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** `by` invites `member`'s email with a role; returns the invitation id. */
export async function invite(runtime: TestRuntime, organizationId: string, by: StaffMember, email: string, role: string): Promise<string> {
  const invited = await call(runtime.app, 'POST', `/api/v1/organizations/${organizationId}/invitations`, { token: by.token, body: { email, role } });
  if (invited.status !== 201) throw new Error(`inviting ${email} as ${role}: ${invited.status} ${JSON.stringify(invited.body)}`);
  return invited.body.id as string;
}

/**
 * Makes `member` a member with a role the only way there is: `by` invites
 * their email, they verify it (if not yet) and accept.
 */
export async function addMember(runtime: TestRuntime, organizationId: string, by: StaffMember, member: StaffMember, role: string, workContact: Record<string, string> = {}): Promise<void> {
  const invitationId = await invite(runtime, organizationId, by, member.email, role);
  await verifyEmail(runtime, member);
  const accepted = await call(runtime.app, 'POST', `/api/v1/invitations/${invitationId}/accept`, { token: member.token, body: workContact });
  if (accepted.status !== 200) throw new Error(`${member.email} accepting ${role}: ${accepted.status} ${JSON.stringify(accepted.body)}`);
}

/** The account a staff login by this email or phone would try first. */
export const loginOf = async (db: Parameters<typeof staffLoginCandidates>[0], login: Parameters<typeof staffLoginCandidates>[1]) => (await staffLoginCandidates(db, login))[0];
