import Type, { type Static } from 'typebox';
import type { Event } from './event.js';

// Stream `staff-phone-{e164}`: the staff counterpart of a client's
// `phone-{e164}` reservation (see email.ts for the rules). Staff and clients
// are separate identities, so one person may hold the same number as both.
// Event types are distinct from the client's PhoneReserved so no projection
// can confuse the two.

export const staffPhoneStream = (e164: string) => `staff-phone-${e164}`;

export const StaffPhoneReservationData = Type.Object({ phone: Type.String(), userId: Type.String(), at: Type.String() });
type StaffPhoneReservationData = Static<typeof StaffPhoneReservationData>;

export type StaffPhoneReserved = Event<'StaffPhoneReserved', StaffPhoneReservationData>;
export type StaffPhoneReleased = Event<'StaffPhoneReleased', StaffPhoneReservationData>;

export type StaffPhoneEvent = StaffPhoneReserved | StaffPhoneReleased;
