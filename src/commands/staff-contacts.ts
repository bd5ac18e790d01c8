import { staffEmailStream } from '../events/email.js';
import { staffPhoneStream } from '../events/staff-phone.js';
import { comparePositions, type EventMetadata, type Position } from '../store/port.js';
import { DomainError } from './errors.js';
import type { CommandHandler } from './handler.js';
import { staffEmailDecider, staffPhoneDecider } from './reservations.js';

// A staff user's email and phone are each unique: held through a reservation
// stream, taken before the user's own stream says so and given back after.

export interface Contacts {
  /** Lowercased. */
  readonly email?: string | undefined;
  /** E.164. */
  readonly phone?: string | null | undefined;
}

export type ContactField = 'email' | 'phone';

export interface Reservations {
  /** Values this call reserved anew; a value the user already held is not listed, so a compensation never gives it away. */
  readonly reserved: Contacts;
  /** Values held by someone else: the conflict per field. */
  readonly refused: Partial<Record<ContactField, DomainError>>;
}

/** Tries every given value at once, so a caller can report each field's outcome. */
export async function reserveContacts(handle: CommandHandler, userId: string, contacts: Contacts, now: string, metadata: EventMetadata): Promise<Reservations> {
  const { email, phone } = contacts;
  const [emailOutcome, phoneOutcome] = await Promise.allSettled([
    email === undefined ? undefined : handle(staffEmailDecider, staffEmailStream(email), { type: 'ReserveEmail', data: { email, userId, now } }, metadata),
    phone === undefined || phone === null
      ? undefined
      : handle(staffPhoneDecider, staffPhoneStream(phone), { type: 'ReserveStaffPhone', data: { phone, userId, now } }, metadata),
  ]);
  const reserved: { email?: string; phone?: string } = {};
  const refused: Partial<Record<ContactField, DomainError>> = {};
  let failure: unknown;
  if (emailOutcome.status === 'fulfilled') {
    if (email !== undefined && (emailOutcome.value?.events.length ?? 0) > 0) reserved.email = email;
  } else if (isConflict(emailOutcome.reason)) refused.email = emailOutcome.reason;
  else failure = emailOutcome.reason;
  if (phoneOutcome.status === 'fulfilled') {
    if (phone && (phoneOutcome.value?.events.length ?? 0) > 0) reserved.phone = phone;
  } else if (isConflict(phoneOutcome.reason)) refused.phone = phoneOutcome.reason;
  else failure ??= phoneOutcome.reason;
  if (failure !== undefined) {
    // Not a business outcome (the store is down...): give back what was taken and fail the request.
    await releaseContacts(handle, userId, reserved, now, metadata).catch(() => undefined);
    throw failure;
  }
  return { reserved, refused };
}

/** Gives values back; releasing a value the user does not hold changes nothing. */
export async function releaseContacts(handle: CommandHandler, userId: string, contacts: Contacts, now: string, metadata: EventMetadata): Promise<void> {
  const { email, phone } = contacts;
  if (email !== undefined) await handle(staffEmailDecider, staffEmailStream(email), { type: 'ReleaseEmail', data: { email, userId, now } }, metadata);
  if (phone !== undefined && phone !== null) await handle(staffPhoneDecider, staffPhoneStream(phone), { type: 'ReleaseStaffPhone', data: { phone, userId, now } }, metadata);
}

/** One 409 naming every taken field, with the first field's message as the detail. */
export function contactsTaken(refused: Reservations['refused']): DomainError {
  const errors = Object.values(refused);
  const fields = Object.assign({}, ...errors.map((error) => error.fields ?? {})) as Record<string, string[]>;
  return new DomainError('conflict', errors[0]?.message ?? 'Conflict.', fields);
}

function isConflict(error: unknown): error is DomainError {
  return error instanceof DomainError && error.kind === 'conflict';
}

/** The later of two positions; undefined when neither command appended. */
export function latest(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a || !b) return a ?? b;
  return comparePositions(a, b) >= 0 ? a : b;
}
