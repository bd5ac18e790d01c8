import Type, { type Static } from 'typebox';
import type { Event } from './event.js';
import { Nullable } from './schema.js';

// Stream `user-{userId}`: one staff member (owner, admin, manager, specialist,
// auditor...), whatever organizations they work for. Secrets never enter it:
// a password change is recorded as a fact, its hash lives in `credentials`.

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
  /** Lowercased; reserved in `staff-email-{email}` before this event is written. */
  email: Type.String(),
  /** E.164, reserved in `staff-phone-{phone}`; null when none was given. */
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

/** A code was asked for; the worker emails it. `challengeId` names the code's row, never the code. */
export type EmailVerificationRequested = Event<'EmailVerificationRequested', { userId: string; email: string; challengeId: string; requestedAt: string }>;
export type EmailVerified = Event<'EmailVerified', { userId: string; email: string; verifiedAt: string }>;

export type UserEvent =
  | UserRegistered
  | UserProfileChanged
  | UserPasswordChanged
  | UserDeleted
  | PlatformAdminGranted
  | EmailVerificationRequested
  | EmailVerified;

export const userEventTypes: readonly UserEvent['type'][] = [
  'UserRegistered',
  'UserProfileChanged',
  'UserPasswordChanged',
  'UserDeleted',
  'PlatformAdminGranted',
  'EmailVerificationRequested',
  'EmailVerified',
];
