import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { fold } from '../../commands/decider.js';
import { userDecider } from '../../commands/identity/user.js';
import { asEvent } from '../../events/event.js';
import { userStream, type UserEvent } from '../../events/identity/user.js';
import type { Role } from '../../events/organizations/organization.js';
import type { EventStore, StoredEvent } from '../../store/port.js';

// A staff user's own data, for the right of access (GDPR art. 15; docs/privacy.md,
// "Export"): the account folded from its own stream (fresh by construction),
// their memberships and the invitations addressed to them, and the stream's
// events with actors as roles. Nothing of anyone else: no other member, no
// inviter, no client.
//
// The actor roles are shared with the clients' export (src/workflows/clients/export.ts).

/** Who did something, as the person may be told: never another person's id. */
export type ActorRole = 'you' | 'staff' | 'platform_admin' | 'system' | 'anonymous' | 'another_client';

/** An event's actor, or one recorded in its data (who cancelled an appointment). */
export interface ActorRef {
  readonly kind: string;
  readonly id?: string | undefined;
}

/** Of these actors, the staff users who are platform admins (they act on others' accounts with a reason). */
export async function platformAdminsAmong(db: Kysely<Database>, actors: readonly (ActorRef | null | undefined)[]): Promise<ReadonlySet<string>> {
  const ids = [...new Set(actors.flatMap((a) => (a && (a.kind === 'user' || a.kind === 'admin') && a.id !== undefined ? [a.id] : [])))];
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).where('platform_admin', '=', true).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * `selfId` is the exporting person. A request without a token (signing up,
 * verifying a code, asking for a login code) is `anonymous`: it may have been
 * the person or anyone who knew their phone or email.
 */
export function actorRole(actor: ActorRef, selfId: string, platformAdmins: ReadonlySet<string>, reason?: string): ActorRole {
  if (actor.id !== undefined && actor.id === selfId) return 'you';
  switch (actor.kind) {
    case 'system':
      return 'system';
    case 'anonymous':
      return 'anonymous';
    case 'admin':
      return 'platform_admin';
    case 'user':
      return reason !== undefined || (actor.id !== undefined && platformAdmins.has(actor.id)) ? 'platform_admin' : 'staff';
    case 'client':
      return 'another_client';
    default:
      return 'system';
  }
}

export interface ExportedEvent {
  readonly type: string;
  readonly at: string;
  readonly actor: ActorRole;
  readonly data: unknown;
}

/** One event as the export shows it: its data as the store reads it (clear text, or "[erased]"). */
export function exportedEvent(event: StoredEvent, selfId: string, platformAdmins: ReadonlySet<string>): ExportedEvent {
  const { type, data } = asEvent(event);
  return { type, at: event.createdAt.toISOString(), actor: actorRole(event.metadata.actor, selfId, platformAdmins, event.metadata.reason), data };
}

export interface StaffExport {
  readonly account: {
    readonly id: string;
    readonly email: string;
    readonly confirmed_email: boolean;
    readonly phone: string | null;
    readonly confirmed_phone: boolean;
    readonly first_name: string;
    readonly last_name: string;
    readonly patronymic: string;
    readonly address: string;
    readonly platform_admin: boolean;
    readonly registered_at: string;
  };
  readonly memberships: {
    readonly organization: { readonly id: string; readonly name: string };
    readonly role: Role;
    readonly added_at: string;
    readonly work_contact: { readonly email: string | null; readonly phone: string | null };
  }[];
  readonly invitations: {
    readonly id: string;
    readonly organization: { readonly id: string; readonly name: string };
    readonly email: string;
    readonly role: Role;
    readonly status: 'pending' | 'accepted' | 'declined' | 'revoked';
    readonly created_at: string;
    readonly answered_at: string | null;
  }[];
  readonly history: ExportedEvent[];
  readonly exported_at: string;
}

const iso = (value: Date | string) => new Date(value).toISOString();

async function membershipsOf(db: Kysely<Database>, userId: string): Promise<StaffExport['memberships']> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .select(['m.organization_id', 'o.name', 'm.role', 'm.added_at', 'm.work_email', 'm.work_phone'])
    .where('m.user_id', '=', userId)
    .orderBy('m.added_at')
    .orderBy('m.organization_id')
    .execute();
  return rows.map((r) => ({
    organization: { id: r.organization_id, name: r.name },
    role: r.role,
    added_at: iso(r.added_at),
    work_contact: { email: r.work_email, phone: r.work_phone },
  }));
}

/** Every invitation to this verified email, whatever became of it; who sent it is the organization's business. */
async function invitationsTo(db: Kysely<Database>, email: string): Promise<StaffExport['invitations']> {
  const rows = await db
    .selectFrom('staff_invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.organization_id')
    .select(['i.id', 'i.organization_id', 'o.name', 'i.email', 'i.role', 'i.status', 'i.created_at', 'i.answered_at'])
    .where('i.email', '=', email)
    .orderBy('i.created_at')
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organization: { id: r.organization_id, name: r.name },
    email: r.email,
    role: r.role,
    status: r.status,
    created_at: iso(r.created_at),
    answered_at: r.answered_at === null ? null : iso(r.answered_at),
  }));
}

/**
 * Everything held about a staff user; undefined when the account does not
 * exist or was deleted. The caller has made sure the read models include
 * every event written before the request (memberships, invitations).
 */
export async function staffExport(deps: { readonly db: Kysely<Database>; readonly store: EventStore }, userId: string, now: Date): Promise<StaffExport | undefined> {
  const events = await deps.store.readStream(userStream(userId));
  const state = fold(userDecider, events.map((e) => asEvent<UserEvent>(e)));
  if (state.status !== 'active') return undefined;
  const registered = events.map((e) => asEvent<UserEvent>(e)).find((e) => e.type === 'UserRegistered');
  const admins = await platformAdminsAmong(deps.db, events.map((e) => e.metadata.actor));
  return {
    account: {
      id: state.userId,
      email: state.email,
      confirmed_email: state.confirmedEmail,
      phone: state.phone,
      confirmed_phone: state.confirmedPhone,
      first_name: state.profile.firstName,
      last_name: state.profile.lastName,
      patronymic: state.profile.patronymic,
      address: state.profile.address,
      platform_admin: state.platformAdmin,
      registered_at: registered?.type === 'UserRegistered' ? iso(registered.data.registeredAt) : iso(events[0]!.createdAt),
    },
    memberships: await membershipsOf(deps.db, userId),
    // Invitations are shown to a verified email only (docs/trust-model.md, "Staff"): an unverified one may be someone else's.
    invitations: state.confirmedEmail ? await invitationsTo(deps.db, state.email) : [],
    history: events.map((e) => exportedEvent(e, userId, admins)),
    exported_at: now.toISOString(),
  };
}
