import type { ClientEvent, ClientProfile } from '../events/client.js';
import type { Decider } from './decider.js';
import { conflict } from './errors.js';

export type ClientState =
  | { readonly status: 'none' }
  | { readonly status: 'registered'; readonly clientId: string; readonly phone: string; readonly profile: ClientProfile; readonly confirmedPhone: boolean };

export type ClientCommand = {
  type: 'RegisterClient';
  data: { clientId: string; phone: string; profile: ClientProfile; passwordSet: boolean; now: string };
};

function decide(command: ClientCommand, state: ClientState): ClientEvent[] {
  switch (command.type) {
    case 'RegisterClient': {
      if (state.status !== 'none') throw conflict('This client is already registered.');
      const { clientId, phone, profile, passwordSet, now } = command.data;
      return [{ type: 'ClientRegistered', data: { clientId, phone, profile, passwordSet, registeredAt: now } }];
    }
    default: {
      const exhaustive: never = command.type;
      throw new Error(`Unknown command ${String(exhaustive)}`);
    }
  }
}

function evolve(state: ClientState, event: ClientEvent): ClientState {
  switch (event.type) {
    case 'ClientRegistered':
      return { status: 'registered', clientId: event.data.clientId, phone: event.data.phone, profile: event.data.profile, confirmedPhone: false };
    default:
      return state;
  }
}

export const clientDecider: Decider<ClientState, ClientCommand, ClientEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
