import { createHmac } from 'node:crypto';
import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';

// Streams `phone-{pseudonym}` (a client's login phone), `staff-phone-{pseudonym}`
// and `staff-email-{pseudonym}` (a staff user's): who OWNS a login contact,
// which only a verification gives. An unverified phone or email is a claim
// held in the account alone: it stops nobody from registering the same value,
// and whoever verifies it owns it (docs/trust-model.md).
//
// A stream id outlives any erasure (the log is append-only, its ids are not
// encrypted), so it names the contact by a keyed hash, never the value
// (docs/privacy.md, "Contact streams"). The same pseudonym stands for the
// destination wherever a table keys something by it (send quotas, the login
// throttle, one-time codes).
//
// Legacy events in these streams (`PhoneReserved`/`PhoneReleased`,
// `StaffPhoneReserved`/`StaffPhoneReleased`, `EmailReserved`/`EmailReleased`)
// were claims made at registration; ownership ignores them, and the start-up
// migration records `ContactOwned` for the accounts that had verified.

export type ContactKind = 'phone' | 'email';

declare const pseudonymous: unique symbol;
/** A keyed hash standing for a phone or an email: the only form a table or a stream id may hold. */
export type ContactPseudonym = string & { readonly [pseudonymous]: true };

/**
 * HMAC-SHA256 of the kind and the value (an email lowercased), in hex:
 * stable for one secret, and without the secret it can neither be reversed
 * nor recomputed from a guessed phone number.
 */
export function contactPseudonym(secret: Buffer, kind: ContactKind, value: string): ContactPseudonym {
  const normal = kind === 'email' ? value.toLowerCase() : value;
  return createHmac('sha256', secret).update(`${kind}:${normal}`).digest('hex') as ContactPseudonym;
}

/** A destination's kind: an E.164 phone never holds an '@', an email always does. */
export const kindOf = (destination: string): ContactKind => (destination.includes('@') ? 'email' : 'phone');

/** The contact streams' names and the destinations' pseudonyms, under one secret. */
export interface ContactStreams {
  /** The pseudonym of a phone (E.164) or an email, told apart by kindOf. */
  readonly destination: (value: string) => ContactPseudonym;
  readonly phone: (e164: string) => string;
  readonly staffPhone: (e164: string) => string;
  readonly staffEmail: (email: string) => string;
}

export function contactStreams(secret: Buffer): ContactStreams {
  const of = (kind: ContactKind, value: string) => contactPseudonym(secret, kind, value);
  return {
    destination: (value) => of(kindOf(value), value),
    phone: (e164) => `phone-${of('phone', e164)}`,
    staffPhone: (e164) => `staff-phone-${of('phone', e164)}`,
    staffEmail: (email) => `staff-email-${of('email', email)}`,
  };
}

/**
 * A stream as named before pseudonyms, with the contact its id holds in clear
 * (an email lowercased already): only the start-up migration reads them, to
 * carry their ownership over. An E.164 phone starts with '+' and an email
 * holds '@', which no pseudonym (hex) does.
 */
export function legacyContactStream(stream: string): { field: ContactKind; staff: boolean; contact: string } | undefined {
  if (stream.startsWith('phone-+')) return { field: 'phone', staff: false, contact: stream.slice('phone-'.length) };
  if (stream.startsWith('staff-phone-+')) return { field: 'phone', staff: true, contact: stream.slice('staff-phone-'.length) };
  if (stream.startsWith('staff-email-') && stream.includes('@')) return { field: 'email', staff: true, contact: stream.slice('staff-email-'.length) };
  return undefined;
}

export const ContactOwnershipData = Type.Object({ contact: Type.String(), ownerId: Type.String(), at: Type.String() });

/** Verified by `ownerId`: from now on theirs alone. */
export type ContactOwned = Event<'ContactOwned', Static<typeof ContactOwnershipData>>;
/** The owner moved to another value or left: free for whoever verifies it next. */
export type ContactReleased = Event<'ContactReleased', Static<typeof ContactOwnershipData>>;

export type ContactEvent = ContactOwned | ContactReleased;

/** Stream `migration-contact-streams`: the ownership in clear-named streams was carried over to pseudonymous ones, once. */
export const ContactStreamsPseudonymisedData = Type.Object({ moved: Type.Integer(), migratedAt: Type.String() });
export type ContactStreamsPseudonymised = Event<'ContactStreamsPseudonymised', Static<typeof ContactStreamsPseudonymisedData>>;
