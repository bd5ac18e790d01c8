import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { Nullable } from '../schema.js';

// Stream `specialist-{specialistId}`: a person who sees clients, with their
// time zone and weekly working hours. Bookings are decided elsewhere (the
// organization-day streams, see schedule.ts); they read these hours and
// carry them into the decision.

export const specialistStream = (specialistId: string) => `specialist-${specialistId}`;

export const SpecialistDetails = Type.Object({
  name: Type.String(),
  specialty: Type.String(),
  /** E.164, or null. */
  phone: Nullable(Type.String()),
  /** The staff user this specialist is, when they have an account. */
  userId: Nullable(Type.String()),
});
export type SpecialistDetails = Static<typeof SpecialistDetails>;

export const SpecialistChanges = Type.Partial(SpecialistDetails);
export type SpecialistChanges = Static<typeof SpecialistChanges>;

/**
 * One working interval in local time. `end` at or before `start` ends on the
 * next day (22:00-06:00 is a night shift); '24:00' is the next midnight.
 * `placeId` null: anywhere (the booking names the place).
 */
export const LocalInterval = Type.Object({ start: Type.String(), end: Type.String(), placeId: Nullable(Type.String()) });
export type LocalInterval = Static<typeof LocalInterval>;

export const WeeklyInterval = Type.Object({ weekday: Type.Integer({ minimum: 1, maximum: 7 }), ...LocalInterval.properties });
export type WeeklyInterval = Static<typeof WeeklyInterval>;

/** Replaces the weekly rules of one date; no intervals: a day off. */
export const DateException = Type.Object({ date: Type.String(), intervals: Type.Array(LocalInterval) });
export type DateException = Static<typeof DateException>;

/** How free slots are offered and bookings accepted. */
export const BookingPolicy = Type.Object({
  /** Slots start every this many minutes from the start of a working interval. */
  stepMinutes: Type.Integer(),
  /** Kept free before and after each of the specialist's appointments. */
  bufferBeforeMinutes: Type.Integer(),
  bufferAfterMinutes: Type.Integer(),
  /** A client cannot book sooner than this from now. */
  minNoticeMinutes: Type.Integer(),
  /** Nobody books further ahead than this. */
  horizonDays: Type.Integer(),
  /** Appointments the specialist takes on one day (a seat of a group session is one); absent: no limit. */
  maxBookingsPerDay: Type.Optional(Type.Integer()),
});
export type BookingPolicy = Static<typeof BookingPolicy>;

export const DEFAULT_POLICY: BookingPolicy = { stepMinutes: 15, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, minNoticeMinutes: 60, horizonDays: 60 };

export const WorkingHours = Type.Object({
  timeZone: Type.String(),
  weekly: Type.Array(WeeklyInterval),
  exceptions: Type.Array(DateException),
  policy: BookingPolicy,
});
export type WorkingHours = Static<typeof WorkingHours>;

export const SpecialistCreatedData = Type.Object({ specialistId: Type.String(), organizationId: Type.String(), ...SpecialistDetails.properties, createdAt: Type.String() });
export const SpecialistUpdatedData = Type.Object({ specialistId: Type.String(), organizationId: Type.String(), changes: SpecialistChanges, updatedAt: Type.String() });
export const SpecialistRemovedData = Type.Object({ specialistId: Type.String(), organizationId: Type.String(), removedAt: Type.String() });
export const WorkingHoursSetData = Type.Object({ specialistId: Type.String(), organizationId: Type.String(), hours: WorkingHours, setAt: Type.String() });

export type SpecialistCreated = Event<'SpecialistCreated', Static<typeof SpecialistCreatedData>>;
export type SpecialistUpdated = Event<'SpecialistUpdated', Static<typeof SpecialistUpdatedData>>;
/** No new bookings, no slots; booked appointments stay as they are. */
export type SpecialistRemoved = Event<'SpecialistRemoved', Static<typeof SpecialistRemovedData>>;
/** The whole document replaces the previous one: hours are edited as a unit. */
export type WorkingHoursSet = Event<'WorkingHoursSet', Static<typeof WorkingHoursSetData>>;

export type SpecialistEvent = SpecialistCreated | SpecialistUpdated | SpecialistRemoved | WorkingHoursSet;

export const specialistEventTypes: readonly SpecialistEvent['type'][] = ['SpecialistCreated', 'SpecialistUpdated', 'SpecialistRemoved', 'WorkingHoursSet'];
