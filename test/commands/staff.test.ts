import t from 'tap';
import { contactDecider, type ContactCommand } from '../../src/commands/identity/contact.js';
import { userDecider, type UserCommand } from '../../src/commands/identity/user.js';
import type { ContactEvent } from '../../src/events/identity/contact.js';
import type { UserEvent, UserProfile } from '../../src/events/identity/user.js';
import { specification } from './spec.js';

const alice = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const bob = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const now = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T10:05:00.000Z';
const email = 'anna@clinic.example';
const phone = '+79517586284';

t.test('a staff email stream records ownership, which only a verification gives', async (t) => {
  const own = (ownerId: string, at = now): ContactCommand => ({ type: 'OwnContact', data: { contact: email, ownerId, now: at } });
  const release = (ownerId: string, at = now): ContactCommand => ({ type: 'ReleaseContact', data: { contact: email, ownerId, now: at } });
  const owned = (ownerId: string, at = now): ContactEvent => ({ type: 'ContactOwned', data: { contact: email, ownerId, at } });
  const released = (ownerId: string, at = now): ContactEvent => ({ type: 'ContactReleased', data: { contact: email, ownerId, at } });
  // A legacy reservation made at registration: a claim, which owns nothing.
  const legacyClaim = { type: 'EmailReserved', data: { email, userId: alice, at: now } } as unknown as ContactEvent;

  const given = specification(t);
  given(contactDecider, []).when(own(alice)).then([owned(alice)]);
  given(contactDecider, [legacyClaim]).when(own(bob)).then([owned(bob)]);
  given(contactDecider, [owned(alice)]).when(own(bob, later)).thenThrows('conflict');
  given(contactDecider, [owned(alice)]).when(own(alice, later)).then([]);
  given(contactDecider, [owned(alice)]).when(release(bob, later)).then([]);
  given(contactDecider, [owned(alice)]).when(release(alice, later)).then([released(alice, later)]);
  given(contactDecider, [owned(alice), released(alice)]).when(own(bob, later)).then([owned(bob, later)]);
});

t.test('userDecider', async (t) => {
  const profile: UserProfile = { firstName: 'Anna', lastName: 'Petrova', patronymic: 'Ivanovna', address: 'Lenina 1' };
  const registered: UserEvent = { type: 'UserRegistered', data: { userId: alice, email, phone, profile, passwordSet: true, registeredAt: now } };
  const deleted: UserEvent = { type: 'UserDeleted', data: { userId: alice, deletedAt: now } };
  const register: UserCommand = { type: 'RegisterUser', data: { userId: alice, email, phone, profile, passwordSet: true, now } };
  const change = (changes: Record<string, string>): UserCommand => ({ type: 'ChangeUserProfile', data: { userId: alice, changes, now: later } });

  t.test('registering records the user with the id and time from the command; twice is a conflict', async (t) => {
    const given = specification(t);
    given(userDecider, []).when(register).then([registered]);
    given(userDecider, [registered]).when(register).thenThrows('conflict');
  });

  t.test('a profile change records only the fields that differ', async (t) => {
    const given = specification(t);
    given(userDecider, [registered])
      .when(change({ firstName: 'Anya', lastName: 'Petrova', email: 'anya@clinic.example', phone }))
      .then([{ type: 'UserProfileChanged', data: { userId: alice, changes: { firstName: 'Anya', email: 'anya@clinic.example' }, changedAt: later } }]);
    given(userDecider, [registered]).when(change({ firstName: 'Anna', address: 'Lenina 1' })).then([]);
  });

  t.test('a password change is a fact without a secret', async (t) => {
    specification(t)(userDecider, [registered])
      .when({ type: 'ChangeUserPassword', data: { userId: alice, now: later } })
      .then([{ type: 'UserPasswordChanged', data: { userId: alice, changedAt: later } }]);
  });

  t.test('deleting: once; again is a retry; nothing else applies to a deleted or unknown user', async (t) => {
    const given = specification(t);
    given(userDecider, [registered]).when({ type: 'DeleteUser', data: { userId: alice, now } }).then([deleted]);
    given(userDecider, [registered, deleted]).when({ type: 'DeleteUser', data: { userId: alice, now: later } }).then([]);
    given(userDecider, []).when({ type: 'DeleteUser', data: { userId: alice, now } }).thenThrows('not_found');
    given(userDecider, [registered, deleted]).when(change({ firstName: 'Ghost' })).thenThrows('not_found');
    given(userDecider, [registered, deleted]).when({ type: 'ChangeUserPassword', data: { userId: alice, now } }).thenThrows('not_found');
    given(userDecider, [registered, deleted]).when({ type: 'GrantPlatformAdmin', data: { userId: alice, now } }).thenThrows('not_found');
  });

  t.test('platform admin is granted once', async (t) => {
    const granted: UserEvent = { type: 'PlatformAdminGranted', data: { userId: alice, grantedAt: now } };
    const given = specification(t);
    given(userDecider, [registered]).when({ type: 'GrantPlatformAdmin', data: { userId: alice, now } }).then([granted]);
    given(userDecider, [registered, granted]).when({ type: 'GrantPlatformAdmin', data: { userId: alice, now: later } }).then([]);
  });

  t.test('a code verifies only the address it was sent to, while the user still names it', async (t) => {
    const given = specification(t);
    const moved: UserEvent = { type: 'UserProfileChanged', data: { userId: alice, changes: { email: 'new@clinic.example', phone: '+79967486294' }, changedAt: later } };
    const emailVerified: UserEvent = { type: 'EmailVerified', data: { userId: alice, email, verifiedAt: later } };
    const phoneVerified: UserEvent = { type: 'StaffPhoneVerified', data: { userId: alice, phone, verifiedAt: later } };
    const verifyEmail = (address: string): UserCommand => ({ type: 'VerifyEmail', data: { userId: alice, email: address, now: later } });
    const verifyPhone = (number: string): UserCommand => ({ type: 'VerifyPhone', data: { userId: alice, phone: number, now: later } });
    given(userDecider, [registered]).when(verifyEmail(email)).then([emailVerified]);
    given(userDecider, [registered, moved]).when(verifyEmail(email)).thenThrows('invalid');
    given(userDecider, [registered, emailVerified]).when(verifyEmail(email)).then([]);
    given(userDecider, [registered]).when(verifyPhone(phone)).then([phoneVerified]);
    given(userDecider, [registered, moved]).when(verifyPhone(phone)).thenThrows('invalid');
    given(userDecider, [registered, phoneVerified]).when(verifyPhone(phone)).then([]);
    const state = [registered, emailVerified, phoneVerified, moved].reduce(userDecider.evolve, userDecider.initialState());
    t.match(state, { confirmedEmail: false, confirmedPhone: false }, 'a new email or phone is unconfirmed again');
  });

  t.test('phone verification and re-authentication codes are asked for where they can go', async (t) => {
    const given = specification(t);
    const challengeId = 'c0ffee00-0000-4000-8000-000000000001';
    const emailVerified: UserEvent = { type: 'EmailVerified', data: { userId: alice, email, verifiedAt: now } };
    const phoneVerified: UserEvent = { type: 'StaffPhoneVerified', data: { userId: alice, phone, verifiedAt: now } };
    const noPhone: UserEvent = { type: 'UserRegistered', data: { ...registered.data, phone: null } as typeof registered.data };
    given(userDecider, [registered])
      .when({ type: 'RequestPhoneVerification', data: { userId: alice, challengeId, now } })
      .then([{ type: 'StaffPhoneVerificationRequested', data: { userId: alice, phone, challengeId, requestedAt: now } }]);
    given(userDecider, [registered, phoneVerified]).when({ type: 'RequestPhoneVerification', data: { userId: alice, challengeId, now } }).thenThrows('conflict');
    given(userDecider, [noPhone]).when({ type: 'RequestPhoneVerification', data: { userId: alice, challengeId, now } }).thenThrows('conflict');

    const reauthenticate: UserCommand = { type: 'RequestReauthentication', data: { userId: alice, challengeId, now } };
    const requested = (destination: string, channel: 'email' | 'sms'): UserEvent => ({ type: 'UserReauthenticationRequested', data: { userId: alice, destination, channel, challengeId, requestedAt: now } });
    given(userDecider, [registered]).when(reauthenticate).thenThrows('conflict');
    given(userDecider, [registered, phoneVerified]).when(reauthenticate).then([requested(phone, 'sms')]);
    given(userDecider, [registered, phoneVerified, emailVerified]).when(reauthenticate).then([requested(email, 'email')]);
  });

  t.test('the folded state keeps what a deletion needs to release', async (t) => {
    const changed: UserEvent = { type: 'UserProfileChanged', data: { userId: alice, changes: { email: 'anya@clinic.example', lastName: 'Sidorova' }, changedAt: later } };
    const state = [registered, changed, deleted].reduce(userDecider.evolve, userDecider.initialState());
    t.strictSame(state, { status: 'deleted', userId: alice, email: 'anya@clinic.example', phone });
    const active = [registered, changed].reduce(userDecider.evolve, userDecider.initialState());
    t.match(active, { status: 'active', email: 'anya@clinic.example', profile: { firstName: 'Anna', lastName: 'Sidorova' }, platformAdmin: false });
  });
});
