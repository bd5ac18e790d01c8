import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { Nullable } from '../schema.js';

// Stream `user-{userId}`: one staff member (owner, admin, manager, specialist,
// auditor...), whatever organizations they work for. Secrets never enter it:
// a password change is recorded as a fact, its hash lives in `credentials`.
//
// The email and phone here are the user's claims; only a verification makes
// one theirs, recorded first as `ContactOwned` in `staff-email-{pseudonym}` or
// `staff-phone-{pseudonym}` (src/events/identity/contact.ts), then here.

export const userStream = (userId: string) => `user-${userId}`;

export const UserProfile = Type.Object({
  firstName: Type.String(),
  lastName: Type.String(),
  patronymic: Type.String(),
  address: Type.String(),
});
export type UserProfile = Static<typeof UserProfile>;

/** The fields a staff user may change; an event carries only those that changed. */
export const UserChanges = Type.Partial(
  Type.Object({
    firstName: Type.String(),
    lastName: Type.String(),
    patronymic: Type.String(),
    address: Type.String(),
    /** Lowercased. */
    email: Type.String(),
    /** E.164. */
    phone: Type.String(),
  }),
);
export type UserChanges = Static<typeof UserChanges>;

export const UserRegisteredData = Type.Object({
  userId: Type.String(),
  /** Lowercased; unverified until EmailVerified. */
  email: Type.String(),
  /** E.164, unverified until StaffPhoneVerified; null when none was given. */
  phone: Nullable(Type.String()),
  profile: UserProfile,
  /** That a password was set, never the password or its hash. */
  passwordSet: Type.Boolean(),
  registeredAt: Type.String(),
});

export const UserProfileChangedData = Type.Object({ userId: Type.String(), changes: UserChanges, changedAt: Type.String() });
export const UserPasswordChangedData = Type.Object({ userId: Type.String(), changedAt: Type.String() });
export const UserDeletedData = Type.Object({ userId: Type.String(), deletedAt: Type.String() });
export const PlatformAdminGrantedData = Type.Object({ userId: Type.String(), grantedAt: Type.String() });

export type UserRegistered = Event<'UserRegistered', Static<typeof UserRegisteredData>>;
export type UserProfileChanged = Event<'UserProfileChanged', Static<typeof UserProfileChangedData>>;
export type UserPasswordChanged = Event<'UserPasswordChanged', Static<typeof UserPasswordChangedData>>;
export type UserDeleted = Event<'UserDeleted', Static<typeof UserDeletedData>>;
export type PlatformAdminGranted = Event<'PlatformAdminGranted', Static<typeof PlatformAdminGrantedData>>;

export const EmailVerificationRequestedData = Type.Object({ userId: Type.String(), email: Type.String(), challengeId: Type.String(), requestedAt: Type.String() });
export const EmailVerifiedData = Type.Object({ userId: Type.String(), email: Type.String(), verifiedAt: Type.String() });
export const StaffPhoneVerificationRequestedData = Type.Object({ userId: Type.String(), phone: Type.String(), challengeId: Type.String(), requestedAt: Type.String() });
export const StaffPhoneVerifiedData = Type.Object({ userId: Type.String(), phone: Type.String(), verifiedAt: Type.String() });
export const UserReauthenticationRequestedData = Type.Object({
  userId: Type.String(),
  destination: Type.String(),
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  challengeId: Type.String(),
  requestedAt: Type.String(),
});

/** A code was asked for; the worker emails it. `challengeId` names the code's row, never the code. */
export type EmailVerificationRequested = Event<'EmailVerificationRequested', Static<typeof EmailVerificationRequestedData>>;
/** `email` is the address the code was sent to, which the user still named. */
export type EmailVerified = Event<'EmailVerified', Static<typeof EmailVerifiedData>>;
/** A code was asked for by SMS to the user's phone. */
export type StaffPhoneVerificationRequested = Event<'StaffPhoneVerificationRequested', Static<typeof StaffPhoneVerificationRequestedData>>;
export type StaffPhoneVerified = Event<'StaffPhoneVerified', Static<typeof StaffPhoneVerifiedData>>;
/**
 * A code to prove it is really them before a sensitive change, sent to their
 * verified email (channel 'email') or else their verified phone ('sms').
 */
export type UserReauthenticationRequested = Event<'UserReauthenticationRequested', Static<typeof UserReauthenticationRequestedData>>;

export type UserEvent =
  | UserRegistered
  | UserProfileChanged
  | UserPasswordChanged
  | UserDeleted
  | PlatformAdminGranted
  | EmailVerificationRequested
  | EmailVerified
  | StaffPhoneVerificationRequested
  | StaffPhoneVerified
  | UserReauthenticationRequested;

export const userEventTypes: readonly UserEvent['type'][] = [
  'UserRegistered',
  'UserProfileChanged',
  'UserPasswordChanged',
  'UserDeleted',
  'PlatformAdminGranted',
  'EmailVerificationRequested',
  'EmailVerified',
  'StaffPhoneVerificationRequested',
  'StaffPhoneVerified',
  'UserReauthenticationRequested',
];
