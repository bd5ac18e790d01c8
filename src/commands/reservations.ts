import type { EmailEvent } from '../events/email.js';
import type { StaffPhoneEvent } from '../events/staff-phone.js';
import type { Decider } from './decider.js';
import { DomainError } from './errors.js';

// Deciders of the staff uniqueness streams (`staff-email-*`, `staff-phone-*`).
// The handler appends a reservation's first event with `no_stream` and later
// ones with the version decided on, so a race for one value has one winner.

/** Who holds a unique value: nobody, or one staff user. */
export type ReservationState = { readonly status: 'free' } | { readonly status: 'reserved'; readonly userId: string };

export const EMAIL_TAKEN = 'This email is already taken.';
export const PHONE_TAKEN = 'This phone number is already taken.';

export const emailTaken = () => new DomainError('conflict', EMAIL_TAKEN, { email: [EMAIL_TAKEN] });
export const phoneTaken = () => new DomainError('conflict', PHONE_TAKEN, { phone: [PHONE_TAKEN] });

type Claim<Field extends string> = { [K in Field]: string } & { userId: string; now: string };

export type StaffEmailCommand = { type: 'ReserveEmail'; data: Claim<'email'> } | { type: 'ReleaseEmail'; data: Claim<'email'> };
export type StaffPhoneCommand = { type: 'ReserveStaffPhone'; data: Claim<'phone'> } | { type: 'ReleaseStaffPhone'; data: Claim<'phone'> };

const free = (): ReservationState => ({ status: 'free' });
const heldBy = (state: ReservationState, userId: string) => state.status === 'reserved' && state.userId === userId;

function decideEmail(command: StaffEmailCommand, state: ReservationState): EmailEvent[] {
  const { email, userId, now } = command.data;
  switch (command.type) {
    case 'ReserveEmail':
      // Reserving again for the same user is a retry, not a conflict.
      if (heldBy(state, userId)) return [];
      if (state.status === 'reserved') throw emailTaken();
      return [{ type: 'EmailReserved', data: { email, userId, at: now } }];
    case 'ReleaseEmail':
      // Only the holder releases; anything else is a retry or a compensation after a lost race.
      return heldBy(state, userId) ? [{ type: 'EmailReleased', data: { email, userId, at: now } }] : [];
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolveEmail(state: ReservationState, event: EmailEvent): ReservationState {
  switch (event.type) {
    case 'EmailReserved':
      return { status: 'reserved', userId: event.data.userId };
    case 'EmailReleased':
      return free();
    default:
      return state;
  }
}

function decidePhone(command: StaffPhoneCommand, state: ReservationState): StaffPhoneEvent[] {
  const { phone, userId, now } = command.data;
  switch (command.type) {
    case 'ReserveStaffPhone':
      if (heldBy(state, userId)) return [];
      if (state.status === 'reserved') throw phoneTaken();
      return [{ type: 'StaffPhoneReserved', data: { phone, userId, at: now } }];
    case 'ReleaseStaffPhone':
      return heldBy(state, userId) ? [{ type: 'StaffPhoneReleased', data: { phone, userId, at: now } }] : [];
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolvePhone(state: ReservationState, event: StaffPhoneEvent): ReservationState {
  switch (event.type) {
    case 'StaffPhoneReserved':
      return { status: 'reserved', userId: event.data.userId };
    case 'StaffPhoneReleased':
      return free();
    default:
      return state;
  }
}

export const staffEmailDecider: Decider<ReservationState, StaffEmailCommand, EmailEvent> = { initialState: free, evolve: evolveEmail, decide: decideEmail };

export const staffPhoneDecider: Decider<ReservationState, StaffPhoneCommand, StaffPhoneEvent> = { initialState: free, evolve: evolvePhone, decide: decidePhone };
