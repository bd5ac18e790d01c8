import t from 'tap';
import { userDecider, type UserCommand } from '../../../src/commands/identity/user.js';
import type { UserChanges, UserEvent, UserProfile } from '../../../src/events/identity/user.js';
import { specification } from '../spec.js';

// Every command of a staff user's stream (`user-{id}`), given/when/then.

const userId = '3f9a1c2e-7b4d-4e8f-9a0b-1c2d3e4f5a60';
const challengeId = '8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586';
const email = 'irina@example.com';
const phone = '+79161234567';
const now = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T10:05:00.000Z';
const profile: UserProfile = { firstName: 'Irina', lastName: 'Sokolova', patronymic: 'Pavlovna', address: 'Moscow' };

const registered = (withPhone: string | null = phone): UserEvent => ({
  type: 'UserRegistered',
  data: { userId, email, phone: withPhone, profile, passwordSet: true, registeredAt: now },
});
const emailVerified = (address = email): UserEvent => ({ type: 'EmailVerified', data: { userId, email: address, verifiedAt: now } });
const phoneVerified = (number = phone): UserEvent => ({ type: 'StaffPhoneVerified', data: { userId, phone: number, verifiedAt: now } });
const profileChanged = (changes: UserChanges): UserEvent => ({ type: 'UserProfileChanged', data: { userId, changes, changedAt: now } });
const deleted = (): UserEvent => ({ type: 'UserDeleted', data: { userId, deletedAt: now } });
const adminGranted = (at = now): UserEvent => ({ type: 'PlatformAdminGranted', data: { userId, grantedAt: at } });

const register = (withPhone: string | null = phone, registeredProfile: UserProfile = profile): UserCommand => ({
  type: 'RegisterUser',
  data: { userId, email, phone: withPhone, profile: registeredProfile, passwordSet: true, now },
});
const changeProfile = (changes: UserChanges): UserCommand => ({ type: 'ChangeUserProfile', data: { userId, changes, now: later } });
const changePassword: UserCommand = { type: 'ChangeUserPassword', data: { userId, now: later } };
const deleteUser: UserCommand = { type: 'DeleteUser', data: { userId, now: later } };
const grantAdmin: UserCommand = { type: 'GrantPlatformAdmin', data: { userId, now: later } };
const requestEmailVerification: UserCommand = { type: 'RequestEmailVerification', data: { userId, challengeId, now: later } };
const verifyEmail = (address = email): UserCommand => ({ type: 'VerifyEmail', data: { userId, email: address, now: later } });
const requestPhoneVerification: UserCommand = { type: 'RequestPhoneVerification', data: { userId, challengeId, now: later } };
const verifyPhone = (number = phone): UserCommand => ({ type: 'VerifyPhone', data: { userId, phone: number, now: later } });
const requestReauthentication: UserCommand = { type: 'RequestReauthentication', data: { userId, challengeId, now: later } };

t.test('RegisterUser', async (t) => {
  t.test('a new user is registered with the id, contacts and time the command brings', async (t) => {
    specification(t)(userDecider, []).when(register()).then([registered()]);
  });
  t.test('a user may register without a phone', async (t) => {
    specification(t)(userDecider, []).when(register(null)).then([registered(null)]);
  });
  t.test('only the profile fields the event names are recorded', async (t) => {
    const padded = { ...profile, role: 'owner' } as UserProfile;
    specification(t)(userDecider, []).when(register(phone, padded)).then([registered()]);
  });
  t.test('a registered user cannot register again: conflict', async (t) => {
    specification(t)(userDecider, [registered()]).when(register()).thenThrows('conflict');
  });
  t.test('a deleted user cannot register again: conflict', async (t) => {
    specification(t)(userDecider, [registered(), deleted()]).when(register()).thenThrows('conflict');
  });
});

t.test('ChangeUserProfile', async (t) => {
  t.test('only the fields that differ are recorded', async (t) => {
    specification(t)(userDecider, [registered()])
      .when(changeProfile({ firstName: 'Irina', lastName: 'Orlova', email: 'irina@work.example.com' }))
      .then([{ type: 'UserProfileChanged', data: { userId, changes: { lastName: 'Orlova', email: 'irina@work.example.com' }, changedAt: later } }]);
  });
  t.test('a change to nothing new is no event', async (t) => {
    specification(t)(userDecider, [registered()]).when(changeProfile({ firstName: 'Irina', phone })).then([]);
  });
  t.test('a phone may be added to a user who had none', async (t) => {
    specification(t)(userDecider, [registered(null)])
      .when(changeProfile({ phone }))
      .then([{ type: 'UserProfileChanged', data: { userId, changes: { phone }, changedAt: later } }]);
  });
  t.test('an unknown user cannot change their profile: not_found', async (t) => {
    specification(t)(userDecider, []).when(changeProfile({ lastName: 'Orlova' })).thenThrows('not_found');
  });
  t.test('a deleted user cannot change their profile: not_found', async (t) => {
    specification(t)(userDecider, [registered(), deleted()]).when(changeProfile({ lastName: 'Orlova' })).thenThrows('not_found');
  });
});

t.test('ChangeUserPassword', async (t) => {
  t.test('a password change is recorded as a fact, at the time the command brings', async (t) => {
    specification(t)(userDecider, [registered()]).when(changePassword).then([{ type: 'UserPasswordChanged', data: { userId, changedAt: later } }]);
  });
  t.test('an unknown user has no password to change: not_found', async (t) => {
    specification(t)(userDecider, []).when(changePassword).thenThrows('not_found');
  });
  t.test('a deleted user has no password to change: not_found', async (t) => {
    specification(t)(userDecider, [registered(), deleted()]).when(changePassword).thenThrows('not_found');
  });
});

t.test('DeleteUser', async (t) => {
  t.test('an active user is deleted', async (t) => {
    specification(t)(userDecider, [registered()]).when(deleteUser).then([{ type: 'UserDeleted', data: { userId, deletedAt: later } }]);
  });
  t.test('deleting a deleted user again is a retry: nothing new', async (t) => {
    specification(t)(userDecider, [registered(), deleted()]).when(deleteUser).then([]);
  });
  t.test('an unknown user cannot be deleted: not_found', async (t) => {
    specification(t)(userDecider, []).when(deleteUser).thenThrows('not_found');
  });
});

t.test('GrantPlatformAdmin', async (t) => {
  t.test('an active user is made a platform admin', async (t) => {
    specification(t)(userDecider, [registered()]).when(grantAdmin).then([adminGranted(later)]);
  });
  t.test('granting it again is a retry: nothing new', async (t) => {
    specification(t)(userDecider, [registered(), adminGranted()]).when(grantAdmin).then([]);
  });
  t.test('an unknown user cannot be made an admin: not_found', async (t) => {
    specification(t)(userDecider, []).when(grantAdmin).thenThrows('not_found');
  });
  t.test('a deleted user cannot be made an admin: not_found', async (t) => {
    specification(t)(userDecider, [registered(), deleted()]).when(grantAdmin).thenThrows('not_found');
  });
});

t.test('RequestEmailVerification', async (t) => {
  const requested = (address: string): UserEvent => ({ type: 'EmailVerificationRequested', data: { userId, email: address, challengeId, requestedAt: later } });
  t.test('a code is asked for the email the user names now', async (t) => {
    specification(t)(userDecider, [registered()]).when(requestEmailVerification).then([requested(email)]);
  });
  t.test('a changed email is unconfirmed again, and a code goes to the new one', async (t) => {
    specification(t)(userDecider, [registered(), emailVerified(), profileChanged({ email: 'irina@work.example.com' })])
      .when(requestEmailVerification)
      .then([requested('irina@work.example.com')]);
  });
  t.test('a confirmed email needs no code: conflict', async (t) => {
    specification(t)(userDecider, [registered(), emailVerified()]).when(requestEmailVerification).thenThrows('conflict');
  });
  t.test('an unknown user gets no code: not_found', async (t) => {
    specification(t)(userDecider, []).when(requestEmailVerification).thenThrows('not_found');
  });
});

t.test('VerifyEmail', async (t) => {
  t.test('a code sent to the current email verifies it', async (t) => {
    specification(t)(userDecider, [registered()]).when(verifyEmail()).then([{ type: 'EmailVerified', data: { userId, email, verifiedAt: later } }]);
  });
  t.test('verifying a verified email again is a retry: nothing new', async (t) => {
    specification(t)(userDecider, [registered(), emailVerified()]).when(verifyEmail()).then([]);
  });
  t.test('a code sent to an email the user no longer names proves nothing: invalid', async (t) => {
    specification(t)(userDecider, [registered(), profileChanged({ email: 'irina@work.example.com' })]).when(verifyEmail(email)).thenThrows('invalid');
  });
  t.test('an unknown user verifies nothing: not_found', async (t) => {
    specification(t)(userDecider, []).when(verifyEmail()).thenThrows('not_found');
  });
});

t.test('RequestPhoneVerification', async (t) => {
  t.test('a code is asked for the phone the user names now', async (t) => {
    specification(t)(userDecider, [registered()])
      .when(requestPhoneVerification)
      .then([{ type: 'StaffPhoneVerificationRequested', data: { userId, phone, challengeId, requestedAt: later } }]);
  });
  t.test('a user without a phone has none to confirm: conflict', async (t) => {
    specification(t)(userDecider, [registered(null)]).when(requestPhoneVerification).thenThrows('conflict');
  });
  t.test('a confirmed phone needs no code: conflict', async (t) => {
    specification(t)(userDecider, [registered(), phoneVerified()]).when(requestPhoneVerification).thenThrows('conflict');
  });
  t.test('an unknown user gets no code: not_found', async (t) => {
    specification(t)(userDecider, []).when(requestPhoneVerification).thenThrows('not_found');
  });
});

t.test('VerifyPhone', async (t) => {
  t.test('a code sent to the current phone verifies it', async (t) => {
    specification(t)(userDecider, [registered()]).when(verifyPhone()).then([{ type: 'StaffPhoneVerified', data: { userId, phone, verifiedAt: later } }]);
  });
  t.test('verifying a verified phone again is a retry: nothing new', async (t) => {
    specification(t)(userDecider, [registered(), phoneVerified()]).when(verifyPhone()).then([]);
  });
  t.test('a code sent to a phone the user no longer names proves nothing: invalid', async (t) => {
    specification(t)(userDecider, [registered(), profileChanged({ phone: '+79160000000' })]).when(verifyPhone(phone)).thenThrows('invalid');
  });
  t.test('a user without a phone verifies none: invalid', async (t) => {
    specification(t)(userDecider, [registered(null)]).when(verifyPhone()).thenThrows('invalid');
  });
  t.test('an unknown user verifies nothing: not_found', async (t) => {
    specification(t)(userDecider, []).when(verifyPhone()).thenThrows('not_found');
  });
});

t.test('RequestReauthentication', async (t) => {
  const requested = (destination: string, channel: 'email' | 'sms'): UserEvent => ({
    type: 'UserReauthenticationRequested',
    data: { userId, destination, channel, challengeId, requestedAt: later },
  });
  t.test('the code goes to the verified email first', async (t) => {
    specification(t)(userDecider, [registered(), phoneVerified(), emailVerified()]).when(requestReauthentication).then([requested(email, 'email')]);
  });
  t.test('without a verified email the code goes by SMS to the verified phone', async (t) => {
    specification(t)(userDecider, [registered(), phoneVerified()]).when(requestReauthentication).then([requested(phone, 'sms')]);
  });
  t.test('with nothing verified there is nowhere to send a code: conflict', async (t) => {
    specification(t)(userDecider, [registered()]).when(requestReauthentication).thenThrows('conflict');
  });
  t.test('a changed email loses its verification, so no code goes there: conflict', async (t) => {
    specification(t)(userDecider, [registered(), emailVerified(), profileChanged({ email: 'irina@work.example.com' })]).when(requestReauthentication).thenThrows('conflict');
  });
  t.test('an unknown user gets no code: not_found', async (t) => {
    specification(t)(userDecider, []).when(requestReauthentication).thenThrows('not_found');
  });
});
