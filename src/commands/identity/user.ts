import { UserProfile, type UserChanges, type UserEvent } from '../../events/identity/user.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { pick, fieldsOf } from '../fields.js';

const PROFILE = fieldsOf(UserProfile);

export interface ActiveUser {
  readonly status: 'active';
  readonly userId: string;
  readonly email: string;
  readonly phone: string | null;
  readonly profile: UserProfile;
  readonly platformAdmin: boolean;
  /** The current email is verified (and so owned: src/workflows/identity/staff-contacts.ts). */
  readonly confirmedEmail: boolean;
  /** The current phone is verified (and so owned). */
  readonly confirmedPhone: boolean;
}

// A deleted user keeps the email and phone it last held, so the caller can
// release whatever of them it owned from the state the deletion leaves behind.
export type UserState =
  | { readonly status: 'none' }
  | ActiveUser
  | { readonly status: 'deleted'; readonly userId: string; readonly email: string; readonly phone: string | null };

export type UserCommand =
  | { type: 'RegisterUser'; data: { userId: string; email: string; phone: string | null; profile: UserProfile; passwordSet: boolean; now: string } }
  | { type: 'ChangeUserProfile'; data: { userId: string; changes: UserChanges; now: string } }
  | { type: 'ChangeUserPassword'; data: { userId: string; now: string } }
  | { type: 'DeleteUser'; data: { userId: string; now: string } }
  | { type: 'GrantPlatformAdmin'; data: { userId: string; now: string } }
  | { type: 'RequestEmailVerification'; data: { userId: string; challengeId: string; now: string } }
  /** `email`: where the verified code had been sent. */
  | { type: 'VerifyEmail'; data: { userId: string; email: string; now: string } }
  | { type: 'RequestPhoneVerification'; data: { userId: string; challengeId: string; now: string } }
  /** `phone`: where the verified code had been sent. */
  | { type: 'VerifyPhone'; data: { userId: string; phone: string; now: string } }
  | { type: 'RequestReauthentication'; data: { userId: string; challengeId: string; now: string } };

const userNotFound = () => new DomainError('not_found', 'Not found.');

// The API's words for a code that does not open anything (src/api/identity/codes.ts):
// a code for an address the user no longer names proves nothing about them.
const codeNotValid = () => new DomainError('invalid', 'Invalid code.', { code: ['The code is not valid.'] });

/** Where a re-authentication code goes: the verified email, else the verified phone, else nowhere. */
export function reauthenticationTarget(user: ActiveUser): { destination: string; channel: 'email' | 'sms' } | undefined {
  if (user.confirmedEmail) return { destination: user.email, channel: 'email' };
  if (user.confirmedPhone && user.phone !== null) return { destination: user.phone, channel: 'sms' };
  return undefined;
}

function active(state: UserState): ActiveUser {
  if (state.status !== 'active') throw userNotFound();
  return state;
}

const CHANGEABLE = ['firstName', 'lastName', 'patronymic', 'address', 'email', 'phone'] as const;

function currentValue(user: ActiveUser, field: (typeof CHANGEABLE)[number]): string | null {
  return field === 'email' ? user.email : field === 'phone' ? user.phone : user.profile[field];
}

/** Only what differs from the current profile: an unchanged field is no event. */
function changedFields(user: ActiveUser, requested: UserChanges): UserChanges {
  const changes: UserChanges = {};
  for (const field of CHANGEABLE) {
    const value = requested[field];
    if (value !== undefined && value !== currentValue(user, field)) changes[field] = value;
  }
  return changes;
}

function decide(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'RegisterUser': {
      if (state.status !== 'none') throw conflict('This user is already registered.');
      const { userId, email, phone, profile, passwordSet, now } = command.data;
      return [{ type: 'UserRegistered', data: { userId, email, phone, profile: pick(profile, PROFILE), passwordSet, registeredAt: now } }];
    }
    case 'ChangeUserProfile': {
      const changes = changedFields(active(state), command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'UserProfileChanged', data: { userId: command.data.userId, changes, changedAt: command.data.now } }];
    }
    case 'ChangeUserPassword':
      active(state);
      return [{ type: 'UserPasswordChanged', data: { userId: command.data.userId, changedAt: command.data.now } }];
    case 'DeleteUser':
      // Deleting again is a retry: nothing new, and the caller finishes releasing what the user held.
      if (state.status === 'deleted') return [];
      active(state);
      return [{ type: 'UserDeleted', data: { userId: command.data.userId, deletedAt: command.data.now } }];
    case 'GrantPlatformAdmin':
      if (active(state).platformAdmin) return [];
      return [{ type: 'PlatformAdminGranted', data: { userId: command.data.userId, grantedAt: command.data.now } }];
    case 'RequestEmailVerification': {
      const user = active(state);
      if (user.confirmedEmail) throw conflict('This email is already confirmed.');
      const { userId, challengeId, now } = command.data;
      return [{ type: 'EmailVerificationRequested', data: { userId, email: user.email, challengeId, requestedAt: now } }];
    }
    case 'VerifyEmail': {
      const user = active(state);
      if (user.email !== command.data.email) throw codeNotValid();
      if (user.confirmedEmail) return [];
      return [{ type: 'EmailVerified', data: { userId: command.data.userId, email: user.email, verifiedAt: command.data.now } }];
    }
    case 'RequestPhoneVerification': {
      const user = active(state);
      if (user.phone === null) throw conflict('There is no phone number to confirm.');
      if (user.confirmedPhone) throw conflict('This phone number is already confirmed.');
      const { userId, challengeId, now } = command.data;
      return [{ type: 'StaffPhoneVerificationRequested', data: { userId, phone: user.phone, challengeId, requestedAt: now } }];
    }
    case 'VerifyPhone': {
      const user = active(state);
      if (user.phone === null || user.phone !== command.data.phone) throw codeNotValid();
      if (user.confirmedPhone) return [];
      return [{ type: 'StaffPhoneVerified', data: { userId: command.data.userId, phone: user.phone, verifiedAt: command.data.now } }];
    }
    case 'RequestReauthentication': {
      const target = reauthenticationTarget(active(state));
      if (!target) throw conflict('You have no confirmed email or phone to send a code to; give your current password instead.');
      const { userId, challengeId, now } = command.data;
      return [{ type: 'UserReauthenticationRequested', data: { userId, ...target, challengeId, requestedAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, phone, profile } = event.data;
      return { status: 'active', userId, email, phone, profile, platformAdmin: false, confirmedEmail: false, confirmedPhone: false };
    }
    case 'UserProfileChanged': {
      if (state.status !== 'active') return state;
      const { email, phone, ...profile } = event.data.changes;
      // A new email or phone is not confirmed, whatever the old one was.
      const confirmedEmail = email === undefined ? state.confirmedEmail : false;
      const confirmedPhone = phone === undefined ? state.confirmedPhone : false;
      return { ...state, email: email ?? state.email, phone: phone ?? state.phone, profile: { ...state.profile, ...profile }, confirmedEmail, confirmedPhone };
    }
    case 'UserDeleted':
      if (state.status !== 'active') return state;
      return { status: 'deleted', userId: state.userId, email: state.email, phone: state.phone };
    case 'PlatformAdminGranted':
      return state.status === 'active' ? { ...state, platformAdmin: true } : state;
    case 'EmailVerified':
      return state.status === 'active' && state.email === event.data.email ? { ...state, confirmedEmail: true } : state;
    case 'StaffPhoneVerified':
      return state.status === 'active' && state.phone === event.data.phone ? { ...state, confirmedPhone: true } : state;
    default:
      return state;
  }
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
