import { ClientProfile, type ClientEvent } from '../../events/clients/client.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { changedFields, fieldsOf, pick } from '../fields.js';

const PROFILE = fieldsOf(ClientProfile);

// The decider of a person's own account (`client-{id}`). Ownership of the
// login phone is decided in the phone's own stream (src/commands/identity/contact.ts);
// this stream records what the account names and whether it verified it.

export interface RegisteredClient {
  readonly status: 'registered';
  readonly clientId: string;
  readonly phone: string;
  readonly profile: ClientProfile;
  readonly confirmedPhone: boolean;
  /** The record linked at each organization: organization id -> record id. */
  readonly links: Readonly<Record<string, string>>;
  readonly registeredAt: string;
  readonly updatedAt: string;
}

/** Erased (docs/privacy.md): only what finishing the erasure needs, no personal data. */
export interface ErasedClient {
  readonly status: 'erased';
  readonly clientId: string;
  /** The records erased with the account. */
  readonly records: readonly string[];
}

export type ClientState = { readonly status: 'none' } | RegisteredClient | ErasedClient;

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
        now: string;
      };
    }
  | { type: 'ChangeProfile'; data: { changes: Partial<ClientProfile>; now: string } }
  | { type: 'ChangePhone'; data: { phone: string; challengeId: string; now: string } }
  | { type: 'ChangePassword'; data: { now: string } }
  | { type: 'RequestPhoneVerification'; data: { challengeId: string; now: string } }
  /** `phone`: the destination the code was sent to; it verifies only that number. */
  | { type: 'VerifyPhone'; data: { phone: string; now: string } }
  | { type: 'RequestLoginCode'; data: { challengeId: string; now: string } }
  | { type: 'RequestReauthentication'; data: { challengeId: string; now: string } }
  | { type: 'LinkRecord'; data: { recordId: string; organizationId: string; now: string } }
  | { type: 'UnlinkRecord'; data: { recordId: string; organizationId: string; now: string } }
  /** The person (re-authenticated) or a platform admin erases the account and the records it links. */
  | { type: 'EraseClient'; data: { by: 'client' | 'platform_admin'; now: string } };

const notFound = () => new DomainError('not_found', 'Not found.');
export const PHONE_NOT_VERIFIED = 'Verify your phone number first.';
const unverified = () => new DomainError('forbidden', PHONE_NOT_VERIFIED);

export function registered(state: ClientState): RegisteredClient {
  if (state.status !== 'registered') throw notFound();
  return state;
}

function decide(command: ClientCommand, state: ClientState): ClientEvent[] {
  switch (command.type) {
    case 'RegisterClient': {
      if (state.status === 'erased') throw notFound();
      if (state.status !== 'none') throw conflict('This client is already registered.');
      const { clientId, phone, profile, passwordSet, challengeId, now } = command.data;
      const events: ClientEvent[] = [{ type: 'ClientRegistered', data: { schemaVersion: 2, clientId, phone, profile: pick(profile, PROFILE), passwordSet, registeredAt: now } }];
      if (challengeId) events.push({ type: 'PhoneVerificationRequested', data: { clientId, phone, challengeId, requestedAt: now } });
      return events;
    }
    case 'ChangeProfile': {
      const client = registered(state);
      const changes = changedFields<ClientProfile>(PROFILE, client.profile, command.data.changes);
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
      const { phone, now } = command.data;
      // A code sent to another number (the one before a change) verifies nothing here.
      if (phone !== client.phone) throw new DomainError('invalid', 'Invalid code.', { code: ['The code is not valid.'] });
      if (client.confirmedPhone) return [];
      return [{ type: 'PhoneVerified', data: { clientId: client.clientId, phone, verifiedAt: now } }];
    }
    case 'RequestLoginCode': {
      const client = registered(state);
      if (!client.confirmedPhone) throw unverified();
      const { challengeId, now } = command.data;
      return [{ type: 'LoginCodeRequested', data: { clientId: client.clientId, phone: client.phone, challengeId, requestedAt: now } }];
    }
    case 'RequestReauthentication': {
      const client = registered(state);
      if (!client.confirmedPhone) throw new DomainError('conflict', 'There is no verified phone to send a code to; give your current password.');
      const { challengeId, now } = command.data;
      return [{ type: 'ClientReauthenticationRequested', data: { clientId: client.clientId, phone: client.phone, challengeId, requestedAt: now } }];
    }
    case 'LinkRecord': {
      const client = registered(state);
      if (!client.confirmedPhone) throw unverified();
      const { recordId, organizationId, now } = command.data;
      const linked = client.links[organizationId];
      if (linked === recordId) return [];
      if (linked !== undefined) throw conflict('Your account is already linked to another record of this organization.');
      return [{ type: 'ClientLinkedToRecord', data: { clientId: client.clientId, organizationId, recordId, linkedAt: now } }];
    }
    case 'UnlinkRecord': {
      const client = registered(state);
      const { recordId, organizationId, now } = command.data;
      if (client.links[organizationId] !== recordId) return [];
      return [{ type: 'ClientUnlinkedFromRecord', data: { clientId: client.clientId, organizationId, recordId, unlinkedAt: now } }];
    }
    case 'EraseClient': {
      // Erasing again is a retry finishing the job (or the loser of a race): nothing new.
      if (state.status === 'erased') return [];
      const client = registered(state);
      const { by, now } = command.data;
      return [{ type: 'ClientErased', data: { clientId: client.clientId, by, records: Object.values(client.links), erasedAt: now } }];
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
    return { status: 'registered', clientId, phone, profile, confirmedPhone: false, links: {}, registeredAt, updatedAt: registeredAt };
  }
  if (event.type === 'ClientErased') return { status: 'erased', clientId: event.data.clientId, records: event.data.records };
  if (state.status !== 'registered') return state;
  switch (event.type) {
    case 'ClientProfileChanged':
      return { ...state, profile: { ...state.profile, ...event.data.changes }, updatedAt: event.data.changedAt };
    case 'ClientPhoneChanged':
      return { ...state, phone: event.data.phone, confirmedPhone: false, updatedAt: event.data.changedAt };
    case 'PhoneVerified':
      return state.phone === event.data.phone ? { ...state, confirmedPhone: true, updatedAt: event.data.verifiedAt } : state;
    case 'ClientLinkedToRecord':
      return { ...state, links: { ...state.links, [event.data.organizationId]: event.data.recordId } };
    case 'ClientUnlinkedFromRecord': {
      if (state.links[event.data.organizationId] !== event.data.recordId) return state;
      const { [event.data.organizationId]: _gone, ...links } = state.links;
      return { ...state, links };
    }
    default:
      return state;
  }
}

export const clientDecider: Decider<ClientState, ClientCommand, ClientEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
