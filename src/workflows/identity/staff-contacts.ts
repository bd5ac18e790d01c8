import type { ContactStreams } from '../../events/identity/contact.js';
import { userStream } from '../../events/identity/user.js';
import type { EventMetadata, EventStore, Position } from '../../store/port.js';
import { contactDecider, contactTaken, isTakenFrom, TAKEN_MESSAGES, type ContactField } from '../../commands/identity/contact.js';
import { contactOwner, proveContact } from './contact-ownership.js';
import { DomainError } from '../../commands/errors.js';
import type { CommandHandler } from '../../commands/handler.js';
import { userDecider, type UserCommand } from '../../commands/identity/user.js';

// A staff user's login email and phone belong to them only once verified:
// ownership lives in `staff-email-{pseudonym}` / `staff-phone-{pseudonym}` and is
// decided by contactDecider (src/commands/identity/contact.ts). An unverified value is
// a claim held in the user's own stream alone: it stops nobody, and whoever
// verifies it first owns it (docs/trust-model.md).

export type { ContactField };

export interface Contacts {
  /** Lowercased. */
  readonly email?: string | undefined;
  /** E.164. */
  readonly phone?: string | null | undefined;
}

/** What finds a contact's owner: the log, and the contact streams' names. */
export interface ContactLookup {
  readonly store: EventStore;
  readonly contacts: ContactStreams;
}

const streamOf = (contacts: ContactStreams, field: ContactField, value: string) => (field === 'email' ? contacts.staffEmail(value) : contacts.staffPhone(value));

/** The 409 on the field, with the message the seed frontends show. */
export const contactTakenOn = (field: ContactField) => contactTaken(field);

/** Who owns the value now, if anyone. */
export const ownerOf = (deps: ContactLookup, field: ContactField, value: string): Promise<string | undefined> => contactOwner(deps.store, streamOf(deps.contacts, field, value));

/**
 * The given values that someone other than `userId` owns, with the message
 * per field. A courtesy check before registering or changing: it cannot race
 * into a wrong ownership, since only a verification (proveContact) decides that.
 */
export async function ownedByOthers(deps: ContactLookup, userId: string | undefined, values: Contacts): Promise<Partial<Record<ContactField, string>>> {
  const refused: Partial<Record<ContactField, string>> = {};
  const checks = (['email', 'phone'] as const).map(async (field) => {
    const value = values[field];
    if (value === undefined || value === null) return;
    const owner = await ownerOf(deps, field, value);
    if (isTakenFrom(owner, userId)) refused[field] = TAKEN_MESSAGES[field];
  });
  await Promise.all(checks);
  return refused;
}

/** One 409 naming every refused field, with the first one's message as the detail. */
export function contactsTaken(refused: Partial<Record<ContactField, string>>): DomainError {
  const fields = Object.fromEntries(Object.entries(refused).map(([field, message]) => [field, [message]]));
  return new DomainError('conflict', Object.values(refused)[0] ?? 'Conflict.', fields);
}

/** Gives values back; a value the user does not own changes nothing (a claim, a retry, a lost race). */
export async function releaseContacts(
  deps: { readonly handle: CommandHandler; readonly contacts: ContactStreams },
  userId: string,
  values: Contacts,
  now: string,
  metadata: EventMetadata,
): Promise<void> {
  for (const field of ['email', 'phone'] as const) {
    const value = values[field];
    if (value === undefined || value === null) continue;
    await deps.handle(contactDecider, streamOf(deps.contacts, field, value), { type: 'ReleaseContact', data: { contact: value, ownerId: userId, now } }, metadata);
  }
}

/** A code sent to `value` came back: the user owns the value from now on (proveContact). */
export async function verifyStaffContact(
  deps: ContactLookup & { readonly handle: CommandHandler },
  verification: { userId: string; field: ContactField; value: string; now: string },
  metadata: EventMetadata,
): Promise<Position | undefined> {
  const { userId, field, value, now } = verification;
  const command: UserCommand =
    field === 'email' ? { type: 'VerifyEmail', data: { userId, email: value, now } } : { type: 'VerifyPhone', data: { userId, phone: value, now } };
  return proveContact(
    deps,
    { stream: streamOf(deps.contacts, field, value), contact: value, ownerId: userId, now },
    () => contactTakenOn(field),
    { decider: userDecider, stream: userStream(userId), command },
    metadata,
  );
}
