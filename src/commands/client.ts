import type { ClientEvent, ClientProfile } from '../events/client.js';
import type { Decider } from './decider.js';
import { conflict, DomainError } from './errors.js';

export interface RegisteredClient {
  readonly status: 'registered';
  readonly clientId: string;
  readonly phone: string;
  readonly profile: ClientProfile;
  readonly confirmedPhone: boolean;
  readonly organizationIds: readonly string[];
  readonly registeredAt: string;
  readonly updatedAt: string;
}

export type ClientState = { readonly status: 'none' } | RegisteredClient;

export type ClientCommand =
  | {
      type: 'RegisterClient';
      data: {
        clientId: string;
        phone: string;
        profile: ClientProfile;
        passwordSet: boolean;
        /** Set when a code should be sent to verify the phone (self-registration). */
        challengeId: string | null;
        /** Set when staff of an organization add the client. */
        organizationId: string | null;
        now: string;
      };
    }
  | { type: 'ChangeProfile'; data: { changes: Partial<ClientProfile>; now: string } }
  | { type: 'ChangePhone'; data: { phone: string; challengeId: string; now: string } }
  | { type: 'ChangePassword'; data: { now: string } }
  | { type: 'RequestPhoneVerification'; data: { challengeId: string; now: string } }
  | { type: 'VerifyPhone'; data: { now: string } }
  | { type: 'RequestLoginCode'; data: { challengeId: string; now: string } }
  | { type: 'JoinOrganization'; data: { organizationId: string; now: string } }
  | { type: 'LeaveOrganization'; data: { organizationId: string; now: string } };

const notFound = () => new DomainError('not_found', 'Not found.');

function registered(state: ClientState): RegisteredClient {
  if (state.status !== 'registered') throw notFound();
  return state;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only what differs from the current profile: an unchanged field is no event. */
function changedFields(profile: ClientProfile, requested: Partial<ClientProfile>): Partial<ClientProfile> {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(requested)) {
    if (value !== undefined && !same(value, profile[field as keyof ClientProfile])) changes[field] = value;
  }
  return changes as Partial<ClientProfile>;
}

function decide(command: ClientCommand, state: ClientState): ClientEvent[] {
  switch (command.type) {
    case 'RegisterClient': {
      if (state.status !== 'none') throw conflict('This client is already registered.');
      const { clientId, phone, profile, passwordSet, challengeId, organizationId, now } = command.data;
      const events: ClientEvent[] = [{ type: 'ClientRegistered', data: { schemaVersion: 2, clientId, phone, profile, passwordSet, registeredAt: now } }];
      if (challengeId) events.push({ type: 'PhoneVerificationRequested', data: { clientId, phone, challengeId, requestedAt: now } });
      if (organizationId) events.push({ type: 'ClientJoinedOrganization', data: { clientId, organizationId, joinedAt: now } });
      return events;
    }
    case 'ChangeProfile': {
      const client = registered(state);
      const changes = changedFields(client.profile, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'ClientProfileChanged', data: { clientId: client.clientId, changes, changedAt: command.data.now } }];
    }
    case 'ChangePhone': {
      const client = registered(state);
      const { phone, challengeId, now } = command.data;
      if (phone === client.phone) return [];
      return [
        { type: 'ClientPhoneChanged', data: { clientId: client.clientId, phone, previousPhone: client.phone, changedAt: now } },
        { type: 'PhoneVerificationRequested', data: { clientId: client.clientId, phone, challengeId, requestedAt: now } },
      ];
    }
    case 'ChangePassword':
      return [{ type: 'ClientPasswordChanged', data: { clientId: registered(state).clientId, changedAt: command.data.now } }];
    case 'RequestPhoneVerification': {
      const client = registered(state);
      if (client.confirmedPhone) throw conflict('This phone number is already verified.');
      const { challengeId, now } = command.data;
      return [{ type: 'PhoneVerificationRequested', data: { clientId: client.clientId, phone: client.phone, challengeId, requestedAt: now } }];
    }
    case 'VerifyPhone': {
      const client = registered(state);
      // Verifying twice (a login code also proves the phone) changes nothing.
      if (client.confirmedPhone) return [];
      return [{ type: 'PhoneVerified', data: { clientId: client.clientId, phone: client.phone, verifiedAt: command.data.now } }];
    }
    case 'RequestLoginCode': {
      const client = registered(state);
      const { challengeId, now } = command.data;
      return [{ type: 'LoginCodeRequested', data: { clientId: client.clientId, phone: client.phone, challengeId, requestedAt: now } }];
    }
    case 'JoinOrganization': {
      const client = registered(state);
      const { organizationId, now } = command.data;
      // Joining again (a second booking, a retry) changes nothing.
      if (client.organizationIds.includes(organizationId)) return [];
      return [{ type: 'ClientJoinedOrganization', data: { clientId: client.clientId, organizationId, joinedAt: now } }];
    }
    case 'LeaveOrganization': {
      const client = registered(state);
      const { organizationId, now } = command.data;
      if (!client.organizationIds.includes(organizationId)) throw notFound();
      return [{ type: 'ClientLeftOrganization', data: { clientId: client.clientId, organizationId, leftAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: ClientState, event: ClientEvent): ClientState {
  if (event.type === 'ClientRegistered') {
    const { clientId, phone, profile, registeredAt } = event.data;
    return { status: 'registered', clientId, phone, profile, confirmedPhone: false, organizationIds: [], registeredAt, updatedAt: registeredAt };
  }
  if (state.status !== 'registered') return state;
  switch (event.type) {
    case 'ClientProfileChanged':
      return { ...state, profile: { ...state.profile, ...event.data.changes }, updatedAt: event.data.changedAt };
    case 'ClientPhoneChanged':
      return { ...state, phone: event.data.phone, confirmedPhone: false, updatedAt: event.data.changedAt };
    case 'PhoneVerified':
      return state.phone === event.data.phone ? { ...state, confirmedPhone: true, updatedAt: event.data.verifiedAt } : state;
    case 'ClientJoinedOrganization':
      return { ...state, organizationIds: [...state.organizationIds, event.data.organizationId] };
    case 'ClientLeftOrganization':
      return { ...state, organizationIds: state.organizationIds.filter((id) => id !== event.data.organizationId) };
    default:
      return state;
  }
}

export const clientDecider: Decider<ClientState, ClientCommand, ClientEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
