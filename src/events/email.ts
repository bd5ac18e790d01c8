import Type, { type Static } from 'typebox';
import type { Event } from './event.js';

// Stream `staff-email-{lowercased email}`: a reservation that makes an email
// belong to one staff user. Its first event is appended with expected version
// `no_stream`, every later one with the version the decision was made on, so
// of two users racing for one address exactly one gets it. A released email
// may be reserved again (by anyone).

export const staffEmailStream = (email: string) => `staff-email-${email.toLowerCase()}`;

export const EmailReservationData = Type.Object({ email: Type.String(), userId: Type.String(), at: Type.String() });
type EmailReservationData = Static<typeof EmailReservationData>;

export type EmailReserved = Event<'EmailReserved', EmailReservationData>;
export type EmailReleased = Event<'EmailReleased', EmailReservationData>;

export type EmailEvent = EmailReserved | EmailReleased;
