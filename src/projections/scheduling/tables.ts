import type { ColumnType, Selectable } from 'kysely';
import type { Int8, Timestamp } from '../../db/database.js';

// The tables of this capability's read models: places, specialists with their hours, and appointments.
// Written only by its projections; made by the dated migrations in src/db/migrations/.

declare module '../../db/database.js' {
  interface Database {
    places: PlacesTable;
    specialists: SpecialistsTable;
    appointments: AppointmentsTable;
  }
}

export interface PlacesTable {
  id: string;
  organization_id: string;
  name: string;
  address: string;
  description: string;
  removed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SpecialistsTable {
  id: string;
  organization_id: string;
  name: string;
  specialty: string;
  phone: string | null;
  user_id: string | null;
  time_zone: string | null;
  /** The WorkingHours document of the specialist's stream (src/events/scheduling/specialist.ts). */
  working_hours: ColumnType<unknown, string | null, string | null>;
  removed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AppointmentsTable {
  id: string;
  organization_id: string;
  specialist_id: string;
  place_id: string | null;
  client_id: string;
  day: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  time_zone: string;
  status: 'pending' | 'confirmed' | 'completed' | 'cancelled' | 'no_show';
  service: string;
  /** Both null when no price is set (a client's own booking, or staff left it empty). */
  cost_amount: Int8 | null;
  cost_currency: string | null;
  cancel_reason: string | null;
  cancelled_by: ColumnType<{ kind: string; id?: string } | null, string | null, string | null>;
  /** The weekly series this appointment is an occurrence of; null for a single booking. */
  series_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PlaceRow = Selectable<PlacesTable>;
export type SpecialistRow = Selectable<SpecialistsTable>;
export type AppointmentRow = Selectable<AppointmentsTable>;
