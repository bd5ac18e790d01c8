import type { ContactEvent } from '../../events/identity/contact.js';
import type { Decider } from '../decider.js';
import { DomainError, isConflict } from '../errors.js';

// The one decider of every login contact stream (client phones, staff phones
// and emails): ownership, given by a verification. The handler appends with
// the version decided on, so of two verifications racing for one value
// exactly one owns it.

export type ContactState = { readonly status: 'free' } | { readonly status: 'owned'; readonly ownerId: string };

export type ContactCommand =
  | { type: 'OwnContact'; data: { contact: string; ownerId: string; now: string } }
  | { type: 'ReleaseContact'; data: { contact: string; ownerId: string; now: string } };

export type ContactField = 'email' | 'phone';

/** What the seed frontends show when a contact is someone else's. */
export const TAKEN_MESSAGES: Readonly<Record<ContactField, string>> = { email: 'This email is already taken.', phone: 'This phone number is already taken.' };

/** A 409 on the field that holds the contact; a flow with its own words (registration, a lost race) passes them. */
export const contactTaken = (field: ContactField, message: string = TAKEN_MESSAGES[field]) => new DomainError('conflict', message, { [field]: [message] });

export const CONTACT_TAKEN = 'contact-taken';

/** Who owns the contact; undefined while it is free. */
export const ownerIn = (state: ContactState): string | undefined => (state.status === 'owned' ? state.ownerId : undefined);

/**
 * The one reservation rule, for phones and emails of every kind of account:
 * an owned contact is taken from everyone but its owner (`claimant`
 * undefined: an account that does not exist yet). Owning again is a retry.
 */
export const isTakenFrom = (owner: string | undefined, claimant: string | undefined): boolean => owner !== undefined && owner !== claimant;

function decide(command: ContactCommand, state: ContactState): ContactEvent[] {
  const { contact, ownerId, now } = command.data;
  switch (command.type) {
    case 'OwnContact':
      if (isTakenFrom(ownerIn(state), ownerId)) throw new DomainError('conflict', CONTACT_TAKEN);
      // Owning again is a retry, not a conflict.
      return state.status === 'owned' ? [] : [{ type: 'ContactOwned', data: { contact, ownerId, at: now } }];
    case 'ReleaseContact':
      // Only the owner releases; anything else (a retry, a compensation after a lost race) changes nothing.
      return state.status === 'owned' && state.ownerId === ownerId ? [{ type: 'ContactReleased', data: { contact, ownerId, at: now } }] : [];
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: ContactState, event: ContactEvent): ContactState {
  switch (event.type) {
    case 'ContactOwned':
      return { status: 'owned', ownerId: event.data.ownerId };
    case 'ContactReleased':
      return { status: 'free' };
    default:
      // Legacy reservation events were claims, not ownership.
      return state;
  }
}

export const contactDecider: Decider<ContactState, ContactCommand, ContactEvent> = {
  initialState: () => ({ status: 'free' }),
  evolve,
  decide,
};

/** Whether a DomainError came from OwnContact meeting another owner. */
export const isContactTaken = (error: unknown) => isConflict(error) && error.message === CONTACT_TAKEN;
