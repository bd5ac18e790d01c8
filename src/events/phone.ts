import type { Event } from './event.js';

// Stream `phone-{e164}`: a reservation that makes a phone number belong to one
// client. Appending its first event with expected version `no_stream` is what
// makes registration unique, whatever the read models say.

export const phoneStream = (e164: string) => `phone-${e164}`;

export type PhoneReserved = Event<'PhoneReserved', { phone: string; clientId: string; reservedAt: string }>;

/** The client moved to another number; this one may be registered again. */
export type PhoneReleased = Event<'PhoneReleased', { phone: string; clientId: string; releasedAt: string }>;

export type PhoneEvent = PhoneReserved | PhoneReleased;
