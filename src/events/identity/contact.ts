import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';

// Streams `phone-{e164}` (a client's login phone), `staff-phone-{e164}` and
// `staff-email-{email}` (a staff user's): who OWNS a login contact, which only
// a verification gives. An unverified phone or email is a claim held in the
// account alone: it stops nobody from registering the same value, and whoever
// verifies it owns it (docs/trust-model.md).
//
// Legacy events in these streams (`PhoneReserved`/`PhoneReleased`,
// `StaffPhoneReserved`/`StaffPhoneReleased`, `EmailReserved`/`EmailReleased`)
// were claims made at registration; ownership ignores them, and the start-up
// migration records `ContactOwned` for the accounts that had verified.

export const phoneStream = (e164: string) => `phone-${e164}`;
export const staffPhoneStream = (e164: string) => `staff-phone-${e164}`;
export const staffEmailStream = (email: string) => `staff-email-${email.toLowerCase()}`;

export const ContactOwnershipData = Type.Object({ contact: Type.String(), ownerId: Type.String(), at: Type.String() });

/** Verified by `ownerId`: from now on theirs alone. */
export type ContactOwned = Event<'ContactOwned', Static<typeof ContactOwnershipData>>;
/** The owner moved to another value or left: free for whoever verifies it next. */
export type ContactReleased = Event<'ContactReleased', Static<typeof ContactOwnershipData>>;

export type ContactEvent = ContactOwned | ContactReleased;
