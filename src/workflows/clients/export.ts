import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { clientDecider } from '../../commands/clients/client.js';
import { clientRecordDecider, type OpenRecord } from '../../commands/clients/client-record.js';
import { fold } from '../../commands/decider.js';
import { formatInstant } from '../../commands/scheduling/zoned-time.js';
import { clientStream, type ClientEvent, type ClientProfile } from '../../events/clients/client.js';
import { clientRecordStream, SHAREABLE, type ClientRecordEvent, type Shareable } from '../../events/clients/client-record.js';
import { asEvent } from '../../events/event.js';
import type { AppointmentStatus } from '../../events/scheduling/appointment.js';
import type { EventStore, StoredEvent } from '../../store/port.js';
import { actorRole, exportedEvent, platformAdminsAmong, type ActorRole, type ExportedEvent } from '../identity/export.js';

// A person's own data, for the right of access (GDPR art. 15; docs/privacy.md,
// "Export"): their account and every organization record LINKED to it, each
// folded from its own stream (fresh by construction), the appointments of
// those records, what they share with whom since when, and the events of
// their account and of those records with actors as roles.
//
// Nothing of other people: no staff id or name (a specialist is shown by
// specialty only, the actor of an event by role only), no other client, and
// no link of a record to anyone else's account.

type Organization = { readonly id: string; readonly name: string };

/** A profile as the API shows it (snake_case): the export's, and the history's `as_of`. */
export const profileOf = (profile: ClientProfile) => ({
  first_name: profile.firstName,
  last_name: profile.lastName,
  patronymic: profile.patronymic,
  email: profile.email,
  birthday: profile.birthday,
  sex: profile.sex,
  address: profile.address,
  additional_info: profile.additionalInfo,
  links: profile.links,
});

export interface ClientExport {
  readonly account: ReturnType<typeof profileOf> & { readonly id: string; readonly phone: string; readonly confirmed_phone: boolean; readonly registered_at: string };
  readonly records: (ReturnType<typeof profileOf> & {
    readonly id: string;
    readonly organization: Organization;
    readonly phone: string;
    readonly opened_at: string;
    readonly updated_at: string;
    readonly linked_at: string;
    readonly shared: Record<string, string | null>;
  })[];
  readonly appointments: {
    readonly id: string;
    readonly organization: Organization;
    readonly record_id: string;
    readonly start: string;
    readonly end: string;
    readonly time_zone: string;
    readonly status: AppointmentStatus;
    readonly service: string;
    readonly cost: { readonly amount: number; readonly currency: string } | null;
    readonly specialty: string | null;
    readonly place: { readonly name: string; readonly address: string } | null;
    readonly cancel_reason: string | null;
    readonly cancelled_by: ActorRole | null;
    readonly booked_at: string;
  }[];
  readonly consents: { readonly organization: Organization; readonly record_id: string; readonly fields: string[]; readonly since: string; readonly via: 'accepted' | 'booking' | 'migration' }[];
  readonly history: (ExportedEvent & { readonly source: 'account' | 'record'; readonly record_id: string | null })[];
  readonly exported_at: string;
}

interface LinkedRecord {
  readonly state: OpenRecord;
  readonly events: readonly StoredEvent[];
  readonly linkedAt: string;
  readonly via: 'accepted' | 'booking' | 'migration';
}

/** The record as its organization holds it, if it is (still) linked to this account. */
async function linkedRecord(store: EventStore, recordId: string, accountId: string): Promise<LinkedRecord | undefined> {
  const events = await store.readStream(clientRecordStream(recordId));
  const domain = events.map((e) => asEvent<ClientRecordEvent>(e));
  const state = fold(clientRecordDecider, domain);
  if (state.status !== 'open' || state.clientId !== accountId) return undefined;
  const link = domain.findLast((e) => e.type === 'ClientRecordLinked' && e.data.clientId === accountId);
  if (link?.type !== 'ClientRecordLinked') return undefined;
  return { state, events, linkedAt: link.data.linkedAt, via: link.data.via };
}

/** A record's events, but not its links to other accounts: those are another person's. */
function ownEventsOf(record: LinkedRecord, accountId: string): StoredEvent[] {
  return record.events.filter((e) => {
    if (e.type !== 'ClientRecordLinked' && e.type !== 'ClientRecordUnlinked') return true;
    return (e.data as { clientId?: unknown }).clientId === accountId;
  });
}

async function organizationsNamed(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, Organization>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** The appointments of these records, with the specialist's specialty and the place, never a person's name. */
async function appointmentsOf(db: Kysely<Database>, recordIds: readonly string[]) {
  if (recordIds.length === 0) return [];
  return db
    .selectFrom('appointments as a')
    .leftJoin('specialists as s', 's.id', 'a.specialist_id')
    .leftJoin('places as p', 'p.id', 'a.place_id')
    .select([
      'a.id', 'a.organization_id', 'a.client_id', 'a.starts_at', 'a.ends_at', 'a.time_zone', 'a.status', 'a.service', 'a.cost_amount', 'a.cost_currency',
      'a.cancel_reason', 'a.cancelled_by', 'a.created_at', 's.specialty', 'p.name as place_name', 'p.address as place_address',
    ])
    .where('a.client_id', 'in', recordIds)
    .orderBy('a.starts_at')
    .orderBy('a.id')
    .execute();
}

/** What the person shows the organization: the shared account fields, as the account holds them now (API names). */
function sharedValues(shared: readonly string[], profile: ClientProfile): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const field of shared) if (field in SHAREABLE) values[SHAREABLE[field as Shareable]] = profile[field as Shareable];
  return values;
}

const apiNames = (shared: readonly string[]) => shared.map((f) => SHAREABLE[f as Shareable] ?? f);
const iso = (value: Date | string) => new Date(value).toISOString();
const byTime = (a: StoredEvent, b: StoredEvent) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.stream === b.stream ? a.version - b.version : a.stream.localeCompare(b.stream));

/**
 * Everything held about the person; undefined when the account does not
 * exist. The caller has made sure the read models (organizations,
 * appointments, specialists, places) include every event written before the
 * request; the account and the records are folded from their streams.
 */
export async function clientExport(deps: { readonly db: Kysely<Database>; readonly store: EventStore }, accountId: string, now: Date): Promise<ClientExport | undefined> {
  const { db, store } = deps;
  const accountEvents = await store.readStream(clientStream(accountId));
  const account = fold(clientDecider, accountEvents.map((e) => asEvent<ClientEvent>(e)));
  if (account.status !== 'registered') return undefined;
  const found = await Promise.all(Object.values(account.links).map((recordId) => linkedRecord(store, recordId, accountId)));
  const records = found.filter((r): r is LinkedRecord => r !== undefined).sort((a, b) => a.linkedAt.localeCompare(b.linkedAt));
  const organizations = await organizationsNamed(db, records.map((r) => r.state.organizationId));
  const organizationOf = (id: string): Organization => organizations.get(id) ?? { id, name: '' };
  const appointments = await appointmentsOf(db, records.map((r) => r.state.recordId));
  const recordEvents = records.flatMap((r) => ownEventsOf(r, accountId));
  const events = [...accountEvents, ...recordEvents].sort(byTime);
  const admins = await platformAdminsAmong(db, [...events.map((e) => e.metadata.actor), ...appointments.map((a) => a.cancelled_by)]);

  return {
    account: {
      id: accountId,
      phone: account.phone,
      confirmed_phone: account.confirmedPhone,
      ...profileOf(account.profile),
      registered_at: iso(account.registeredAt),
    },
    records: records.map(({ state, linkedAt }) => ({
      id: state.recordId,
      organization: organizationOf(state.organizationId),
      phone: state.phone,
      ...profileOf(state.profile),
      opened_at: iso(state.openedAt),
      updated_at: iso(state.updatedAt),
      linked_at: iso(linkedAt),
      shared: sharedValues(state.shared, account.profile),
    })),
    appointments: appointments.map((a) => ({
      id: a.id,
      organization: organizationOf(a.organization_id),
      record_id: a.client_id,
      start: formatInstant(new Date(a.starts_at).getTime(), a.time_zone),
      end: formatInstant(new Date(a.ends_at).getTime(), a.time_zone),
      time_zone: a.time_zone,
      status: a.status,
      service: a.service,
      cost: a.cost_amount === null || a.cost_currency === null ? null : { amount: Number(a.cost_amount), currency: a.cost_currency },
      specialty: a.specialty,
      place: a.place_name === null ? null : { name: a.place_name, address: a.place_address ?? '' },
      cancel_reason: a.cancel_reason,
      cancelled_by: a.cancelled_by === null ? null : actorRole(a.cancelled_by, accountId, admins),
      booked_at: iso(a.created_at),
    })),
    consents: records.map(({ state, linkedAt, via }) => ({
      organization: organizationOf(state.organizationId),
      record_id: state.recordId,
      fields: apiNames(state.shared),
      since: iso(linkedAt),
      via,
    })),
    history: events.map((e) => ({
      ...exportedEvent(e, accountId, admins),
      source: e.stream === clientStream(accountId) ? ('account' as const) : ('record' as const),
      record_id: e.stream === clientStream(accountId) ? null : e.stream.slice(clientRecordStream('').length),
    })),
    exported_at: now.toISOString(),
  };
}
