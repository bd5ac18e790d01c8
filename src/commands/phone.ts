import type { PhoneEvent } from '../events/phone.js';
import type { Decider } from './decider.js';
import { conflict } from './errors.js';

export type PhoneState = { readonly status: 'free' } | { readonly status: 'reserved'; readonly clientId: string };

export type PhoneCommand =
  | { type: 'ReservePhone'; data: { phone: string; clientId: string; now: string } }
  | { type: 'ReleasePhone'; data: { phone: string; clientId: string; now: string } };

export const phoneTaken = () => conflict('A client with this phone number already exists.');

function decide(command: PhoneCommand, state: PhoneState): PhoneEvent[] {
  switch (command.type) {
    case 'ReservePhone': {
      if (state.status === 'reserved') {
        // Reserving again for the same client is a retry, not a conflict.
        if (state.clientId === command.data.clientId) return [];
        throw phoneTaken();
      }
      const { phone, clientId, now } = command.data;
      return [{ type: 'PhoneReserved', data: { phone, clientId, reservedAt: now } }];
    }
    case 'ReleasePhone': {
      // Only its holder releases a number; anything else (a retry included) changes nothing.
      if (state.status !== 'reserved' || state.clientId !== command.data.clientId) return [];
      const { phone, clientId, now } = command.data;
      return [{ type: 'PhoneReleased', data: { phone, clientId, releasedAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: PhoneState, event: PhoneEvent): PhoneState {
  switch (event.type) {
    case 'PhoneReserved':
      return { status: 'reserved', clientId: event.data.clientId };
    case 'PhoneReleased':
      return { status: 'free' };
    default:
      return state;
  }
}

export const phoneDecider: Decider<PhoneState, PhoneCommand, PhoneEvent> = {
  initialState: () => ({ status: 'free' }),
  evolve,
  decide,
};
