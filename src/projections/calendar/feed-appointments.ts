import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { AppointmentStatus } from '../../events/scheduling/appointment.js';

// What a calendar feed reads of the scheduling and client read models: a
// specialist's appointments in a window, with only the columns a feed may
// show. Client names are read only when the feed shows them, and never for
// a record the organization removed.

/** A feed never lists more than this many appointments (a window of a few months of a busy specialist fits). */
export const MAX_FEED_APPOINTMENTS = 5000;

export interface FeedAppointment {
  readonly id: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly status: AppointmentStatus;
  readonly service: string;
  readonly placeName: string | null;
  readonly updatedAt: Date;
  /** Only when asked for, and the record is not removed. */
  readonly client: { readonly firstName: string; readonly lastName: string } | undefined;
}

/** Not cancelled, starting in [from, to), by start. */
export async function feedAppointments(
  db: Kysely<Database>,
  specialistId: string,
  window: { readonly from: Date; readonly to: Date },
  withClientNames: boolean,
): Promise<FeedAppointment[]> {
  const rows = await db
    .selectFrom('appointments as a')
    .leftJoin('places as p', 'p.id', 'a.place_id')
    .select(['a.id', 'a.starts_at', 'a.ends_at', 'a.status', 'a.service', 'a.updated_at', 'a.client_id', 'p.name as place_name'])
    .where('a.specialist_id', '=', specialistId)
    .where('a.status', '!=', 'cancelled')
    .where('a.starts_at', '>=', window.from)
    .where('a.starts_at', '<', window.to)
    .orderBy('a.starts_at')
    .orderBy('a.id')
    .limit(MAX_FEED_APPOINTMENTS)
    .execute();
  const names = new Map<string, { firstName: string; lastName: string }>();
  const recordIds = [...new Set(rows.map((r) => r.client_id))];
  if (withClientNames && recordIds.length > 0) {
    const records = await db
      .selectFrom('client_records')
      .select(['id', 'first_name', 'last_name'])
      .where('id', 'in', recordIds)
      .where('removed_at', 'is', null)
      .execute();
    for (const r of records) names.set(r.id, { firstName: r.first_name, lastName: r.last_name });
  }
  return rows.map((r) => ({
    id: r.id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    status: r.status,
    service: r.service,
    placeName: r.place_name,
    updatedAt: r.updated_at,
    client: names.get(r.client_id),
  }));
}
