import { staffEmailStream, staffPhoneStream } from '../events/contact.js';
import { userStream } from '../events/user.js';
import { comparePositions, type EventMetadata, type EventStore, type Position } from '../store/port.js';
import { contactDecider, contactTaken, isContactTaken } from '../commands/contact.js';
import { DomainError } from '../commands/errors.js';
import type { CommandHandler } from '../commands/handler.js';
import { loadState } from '../commands/load-state.js';
import { userDecider, type UserCommand } from '../commands/user.js';

// A staff user's login email and phone belong to them only once verified:
// ownership lives in `staff-email-{email}` / `staff-phone-{e164}` and is
// decided by contactDecider (src/commands/contact.ts). An unverified value is
// a claim held in the user's own stream alone: it stops nobody, and whoever
// verifies it first owns it (docs/trust-model.md).

export const EMAIL_TAKEN = 'This email is already taken.';
export const PHONE_TAKEN = 'This phone number is already taken.';

export type ContactField = 'email' | 'phone';

export interface Contacts {
  /** Lowercased. */
  readonly email?: string | undefined;
  /** E.164. */
  readonly phone?: string | null | undefined;
}

const TAKEN: Record<ContactField, string> = { email: EMAIL_TAKEN, phone: PHONE_TAKEN };

const streamOf = (field: ContactField, value: string) => (field === 'email' ? staffEmailStream(value) : staffPhoneStream(value));

/** The 409 on the field, with the message the seed frontends show. */
export const contactTakenOn = (field: ContactField) => contactTaken(field, TAKEN[field]);

/** Who owns the value now, if anyone. */
export async function ownerOf(store: EventStore, field: ContactField, value: string): Promise<string | undefined> {
  const { state } = await loadState(store, contactDecider, streamOf(field, value));
  return state.status === 'owned' ? state.ownerId : undefined;
}

/**
 * The given values that someone other than `userId` owns, with the message
 * per field. A courtesy check before registering or changing: it cannot race
 * into a wrong ownership, since only a verification (ownContact) decides that.
 */
export async function ownedByOthers(store: EventStore, userId: string | undefined, contacts: Contacts): Promise<Partial<Record<ContactField, string>>> {
  const refused: Partial<Record<ContactField, string>> = {};
  const checks = (['email', 'phone'] as const).map(async (field) => {
    const value = contacts[field];
    if (value === undefined || value === null) return;
    const owner = await ownerOf(store, field, value);
    if (owner !== undefined && owner !== userId) refused[field] = TAKEN[field];
  });
  await Promise.all(checks);
  return refused;
}

/** One 409 naming every refused field, with the first one's message as the detail. */
export function contactsTaken(refused: Partial<Record<ContactField, string>>): DomainError {
  const fields = Object.fromEntries(Object.entries(refused).map(([field, message]) => [field, [message]]));
  return new DomainError('conflict', Object.values(refused)[0] ?? 'Conflict.', fields);
}

/**
 * Records that `userId` owns the value, before their own stream says it is
 * verified. Of two verifications racing for one value exactly one owns it;
 * the other is a 409 on the field.
 */
export async function ownContact(handle: CommandHandler, field: ContactField, value: string, userId: string, now: string, metadata: EventMetadata): Promise<void> {
  try {
    await handle(contactDecider, streamOf(field, value), { type: 'OwnContact', data: { contact: value, ownerId: userId, now } }, metadata);
  } catch (error) {
    throw isContactTaken(error) ? contactTakenOn(field) : error;
  }
}

/** Gives values back; a value the user does not own changes nothing (a claim, a retry, a lost race). */
export async function releaseContacts(handle: CommandHandler, userId: string, contacts: Contacts, now: string, metadata: EventMetadata): Promise<void> {
  for (const field of ['email', 'phone'] as const) {
    const value = contacts[field];
    if (value === undefined || value === null) continue;
    await handle(contactDecider, streamOf(field, value), { type: 'ReleaseContact', data: { contact: value, ownerId: userId, now } }, metadata);
  }
}

/** The later of two positions; undefined when neither command appended. */
export function latest(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a || !b) return a ?? b;
  return comparePositions(a, b) >= 0 ? a : b;
}

/**
 * A code sent to `value` came back: the user owns the value, then their own
 * stream records it verified. Ownership first, so no user is ever recorded
 * verified for a value someone else owns. If the user's stream refuses (it
 * names another value by now), the ownership just taken is given back.
 */
export async function verifyStaffContact(
  handle: CommandHandler,
  verification: { userId: string; field: ContactField; value: string; now: string },
  metadata: EventMetadata,
): Promise<Position | undefined> {
  const { userId, field, value, now } = verification;
  await ownContact(handle, field, value, userId, now, metadata);
  const command: UserCommand =
    field === 'email' ? { type: 'VerifyEmail', data: { userId, email: value, now } } : { type: 'VerifyPhone', data: { userId, phone: value, now } };
  try {
    return (await handle(userDecider, userStream(userId), command, metadata)).position;
  } catch (error) {
    await releaseContacts(handle, userId, { [field]: value }, now, metadata).catch(() => undefined);
    throw error;
  }
}
