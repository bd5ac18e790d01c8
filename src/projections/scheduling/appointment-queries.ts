import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { AppointmentRow } from './tables.js';
import type { AppointmentStatus } from '../../events/scheduling/appointment.js';

// Reads over the `appointments` read model: the organization's book, a
// client's sessions (seed 001). `client_id` is an organization's client
// record; a person reaches an appointment through their link to its record.

export interface AppointmentFilter {
  /** Only these organizations (a staff viewer's); undefined: any. */
  readonly organizationIds?: readonly string[];
  readonly specialistId?: string;
  /** A client record. */
  readonly clientId?: string;
  /** Any of these client records (a person's linked records): none, nothing. */
  readonly clientIds?: readonly string[];
  /** The local date of the start, in the specialist's time zone. */
  readonly day?: string;
  readonly statuses?: readonly AppointmentStatus[];
  /** Appointments starting at or after `from` and before `to`. */
  readonly from?: Date;
  readonly to?: Date;
  readonly limit?: number;
  readonly offset?: number;
}

export function findAppointment(db: Kysely<Database>, appointmentId: string): Promise<AppointmentRow | undefined> {
  return db.selectFrom('appointments').selectAll().where('id', '=', appointmentId).executeTakeFirst();
}

/** Is this record (an appointment's client) linked to this person's account? Removed records link nobody. */
export async function isLinkedRecord(db: Kysely<Database>, recordId: string, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('client_records')
    .select('id')
    .where('id', '=', recordId)
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Oldest first, by start, then id: a stable order for pages. */
export async function listAppointments(db: Kysely<Database>, filter: AppointmentFilter): Promise<AppointmentRow[]> {
  if (filter.organizationIds?.length === 0 || filter.clientIds?.length === 0) return [];
  let query = db.selectFrom('appointments').selectAll();
  if (filter.organizationIds) query = query.where('organization_id', 'in', filter.organizationIds);
  if (filter.specialistId) query = query.where('specialist_id', '=', filter.specialistId);
  if (filter.clientId) query = query.where('client_id', '=', filter.clientId);
  if (filter.clientIds) query = query.where('client_id', 'in', filter.clientIds);
  if (filter.day) query = query.where('day', '=', filter.day);
  if (filter.statuses && filter.statuses.length > 0) query = query.where('status', 'in', filter.statuses);
  if (filter.from) query = query.where('starts_at', '>=', filter.from);
  if (filter.to) query = query.where('starts_at', '<', filter.to);
  return query
    .orderBy('starts_at')
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0)
    .execute();
}

/** Every appointment of one client record, whatever its status (a record's history holds them all). */
export async function appointmentIdsOfRecord(db: Kysely<Database>, recordId: string): Promise<string[]> {
  const rows = await db.selectFrom('appointments').select('id').where('client_id', '=', recordId).orderBy('created_at').execute();
  return rows.map((r) => r.id);
}

/** Active (pending or confirmed) appointments of each of these specialists on one local date: none, no entry. */
export async function activeBookingsOnDay(db: Kysely<Database>, specialistIds: readonly string[], day: string): Promise<Map<string, number>> {
  if (specialistIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('appointments')
    .select(['specialist_id', (eb) => eb.fn.countAll<string>().as('bookings')])
    .where('specialist_id', 'in', specialistIds)
    .where('day', '=', day)
    .where('status', 'in', ['pending', 'confirmed'])
    .groupBy('specialist_id')
    .execute();
  return new Map(rows.map((r) => [r.specialist_id, Number(r.bookings)]));
}

/** The occurrences of a weekly series, whatever their status, by start. */
export async function appointmentsOfSeries(db: Kysely<Database>, seriesId: string): Promise<AppointmentRow[]> {
  return db.selectFrom('appointments').selectAll().where('series_id', '=', seriesId).orderBy('starts_at').orderBy('id').execute();
}
