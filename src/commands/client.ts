import type { ClientEvent, ClientProfile } from '../events/client.js';
import type { Decider } from './decider.js';
import { conflict, DomainError } from './errors.js';

export type ClientState =
  | { readonly status: 'none' }
  | {
      readonly status: 'registered';
      readonly clientId: string;
      readonly phone: string;
      readonly profile: ClientProfile;
      readonly confirmedPhone: boolean;
      readonly organizationIds: readonly string[];
    };

export type ClientCommand =
  | { type: 'RegisterClient'; data: { clientId: string; phone: string; profile: ClientProfile; passwordSet: boolean; challengeId: string; now: string } }
  | { type: 'RequestPhoneVerification'; data: { challengeId: string; now: string } }
  | { type: 'VerifyPhone'; data: { now: string } }
  | { type: 'RequestLoginCode'; data: { challengeId: string; now: string } }
  | { type: 'JoinOrganization'; data: { organizationId: string; now: string } }
  | { type: 'LeaveOrganization'; data: { organizationId: string; now: string } };

const notFound = () => new DomainError('not_found', 'Not found.');

function decide(command: ClientCommand, state: ClientState): ClientEvent[] {
  switch (command.type) {
    case 'RegisterClient': {
      if (state.status !== 'none') throw conflict('This client is already registered.');
      const { clientId, phone, profile, passwordSet, challengeId, now } = command.data;
      return [
        { type: 'ClientRegistered', data: { clientId, phone, profile, passwordSet, registeredAt: now } },
        { type: 'PhoneVerificationRequested', data: { clientId, phone, challengeId, requestedAt: now } },
      ];
    }
    case 'RequestPhoneVerification': {
      if (state.status !== 'registered') throw notFound();
      if (state.confirmedPhone) throw conflict('This phone number is already verified.');
      const { challengeId, now } = command.data;
      return [{ type: 'PhoneVerificationRequested', data: { clientId: state.clientId, phone: state.phone, challengeId, requestedAt: now } }];
    }
    case 'VerifyPhone': {
      if (state.status !== 'registered') throw notFound();
      // Verifying twice (a login code also proves the phone) changes nothing.
      if (state.confirmedPhone) return [];
      return [{ type: 'PhoneVerified', data: { clientId: state.clientId, phone: state.phone, verifiedAt: command.data.now } }];
    }
    case 'RequestLoginCode': {
      if (state.status !== 'registered') throw notFound();
      const { challengeId, now } = command.data;
      return [{ type: 'LoginCodeRequested', data: { clientId: state.clientId, phone: state.phone, challengeId, requestedAt: now } }];
    }
    case 'JoinOrganization': {
      if (state.status !== 'registered') throw notFound();
      const { organizationId, now } = command.data;
      // Joining again (a second booking, a retry) changes nothing.
      if (state.organizationIds.includes(organizationId)) return [];
      return [{ type: 'ClientJoinedOrganization', data: { clientId: state.clientId, organizationId, joinedAt: now } }];
    }
    case 'LeaveOrganization': {
      if (state.status !== 'registered' || !state.organizationIds.includes(command.data.organizationId)) throw notFound();
      const { organizationId, now } = command.data;
      return [{ type: 'ClientLeftOrganization', data: { clientId: state.clientId, organizationId, leftAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${String((exhaustive as { type: unknown }).type)}`);
    }
  }
}

function evolve(state: ClientState, event: ClientEvent): ClientState {
  switch (event.type) {
    case 'ClientRegistered':
      return { status: 'registered', clientId: event.data.clientId, phone: event.data.phone, profile: event.data.profile, confirmedPhone: false, organizationIds: [] };
    case 'ClientJoinedOrganization':
      return state.status === 'registered' ? { ...state, organizationIds: [...state.organizationIds, event.data.organizationId] } : state;
    case 'ClientLeftOrganization':
      return state.status === 'registered' ? { ...state, organizationIds: state.organizationIds.filter((id) => id !== event.data.organizationId) } : state;
    case 'PhoneVerified':
      return state.status === 'registered' && state.phone === event.data.phone ? { ...state, confirmedPhone: true } : state;
    default:
      return state;
  }
}

export const clientDecider: Decider<ClientState, ClientCommand, ClientEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
