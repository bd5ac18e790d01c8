import { contactDecider, isContactTaken } from '../commands/contact.js';
import type { DomainError } from '../commands/errors.js';
import type { CommandHandler } from '../commands/handler.js';
import { loadState } from '../commands/load-state.js';
import type { EventMetadata, EventStore, Position } from '../store/port.js';

// Ownership of a login contact (a client's phone, a staff user's email or
// phone), for every kind of account: only a verification gives it
// (src/commands/contact.ts, docs/trust-model.md).

/** Who owns the contact now, from its own stream (the source of truth). */
export async function contactOwner(store: EventStore, stream: string): Promise<string | undefined> {
  const { state } = await loadState(store, contactDecider, stream);
  return state.status === 'owned' ? state.ownerId : undefined;
}

/**
 * A code sent to the contact came back for `ownerId`: the contact's stream
 * decides ownership first (of two verifications racing for one value, one
 * owns it; the other gets `taken`), then `record` writes the verification on
 * the account. An account that refuses (it names another value by now) gives
 * the ownership back, so nobody is ever recorded verified for a value someone
 * else owns, nor owns one they no longer name.
 */
export async function proveContact(
  handle: CommandHandler,
  proof: { stream: string; contact: string; ownerId: string; now: string },
  taken: () => DomainError,
  record: () => Promise<Position | undefined>,
  metadata: EventMetadata,
): Promise<Position | undefined> {
  const { stream, contact, ownerId, now } = proof;
  try {
    await handle(contactDecider, stream, { type: 'OwnContact', data: { contact, ownerId, now } }, metadata);
  } catch (error) {
    throw isContactTaken(error) ? taken() : error;
  }
  try {
    return await record();
  } catch (error) {
    await handle(contactDecider, stream, { type: 'ReleaseContact', data: { contact, ownerId, now } }, metadata).catch(() => undefined);
    throw error;
  }
}
