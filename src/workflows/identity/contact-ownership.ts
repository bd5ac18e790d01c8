import { contactDecider, isContactTaken, isTakenFrom, ownerIn } from '../../commands/identity/contact.js';
import type { Decider } from '../../commands/decider.js';
import type { DomainError } from '../../commands/errors.js';
import type { CommandHandler } from '../../commands/handler.js';
import { loadState } from '../../commands/load-state.js';
import type { Event } from '../../events/event.js';
import type { EventMetadata, EventStore, Position } from '../../store/port.js';

// Ownership of a login contact (a client's phone, a staff user's email or
// phone), for every kind of account: only a verification gives it
// (src/commands/identity/contact.ts, docs/trust-model.md).

/** Who owns the contact now, from its own stream (the source of truth). */
export async function contactOwner(store: EventStore, stream: string): Promise<string | undefined> {
  return ownerIn((await loadState(store, contactDecider, stream)).state);
}

/** The account's side of a verification: its decider, its stream, and the command that records it. */
export interface Recording<State, Command, E extends Event> {
  readonly decider: Decider<State, Command, E>;
  readonly stream: string;
  readonly command: Command;
}

/**
 * A code sent to the contact came back for `ownerId`. Decided before
 * anything is written: the account must accept the verification (it still
 * names this value) and nobody else may own the value; either refusal
 * appends nothing. Then the contact's stream takes the ownership (of two
 * verifications racing for one value, the store's expected version lets one
 * win; the other gets `taken`, still with nothing appended), and the account
 * records the verification.
 *
 * Only a true race leaves a trace on a refusal: when the account changed
 * between the read and its append (it names another value by now, or was
 * deleted), the ownership just taken is given back, a compensating
 * ContactOwned/ContactReleased pair, so nobody owns a value they no longer
 * name.
 */
export async function proveContact<State, Command, E extends Event>(
  deps: { readonly handle: CommandHandler; readonly store: EventStore },
  proof: { stream: string; contact: string; ownerId: string; now: string },
  taken: () => DomainError,
  record: Recording<State, Command, E>,
  metadata: EventMetadata,
): Promise<Position | undefined> {
  const { handle, store } = deps;
  const { stream, contact, ownerId, now } = proof;
  const [account, owner] = await Promise.all([loadState(store, record.decider, record.stream), contactOwner(store, stream)]);
  record.decider.decide(record.command, account.state);
  if (isTakenFrom(owner, ownerId)) throw taken();
  try {
    await handle(contactDecider, stream, { type: 'OwnContact', data: { contact, ownerId, now } }, metadata);
  } catch (error) {
    throw isContactTaken(error) ? taken() : error;
  }
  try {
    return (await handle(record.decider, record.stream, record.command, metadata)).position;
  } catch (error) {
    // The race above: the account changed since it was read. Give the value back.
    await handle(contactDecider, stream, { type: 'ReleaseContact', data: { contact, ownerId, now } }, metadata).catch(() => undefined);
    throw error;
  }
}
