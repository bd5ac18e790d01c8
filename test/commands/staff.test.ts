import t from 'tap';
import { staffEmailDecider, staffPhoneDecider, type StaffEmailCommand, type StaffPhoneCommand } from '../../src/commands/reservations.js';
import { userDecider, type UserCommand } from '../../src/commands/user.js';
import type { EmailEvent } from '../../src/events/email.js';
import type { StaffPhoneEvent } from '../../src/events/staff-phone.js';
import type { UserEvent, UserProfile } from '../../src/events/user.js';
import { specification } from './spec.js';

const alice = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const bob = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const now = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T10:05:00.000Z';
const email = 'anna@clinic.example';
const phone = '+79517586284';

t.test('staffEmailDecider', async (t) => {
  const reserve = (userId: string, at = now): StaffEmailCommand => ({ type: 'ReserveEmail', data: { email, userId, now: at } });
  const release = (userId: string, at = now): StaffEmailCommand => ({ type: 'ReleaseEmail', data: { email, userId, now: at } });
  const reserved = (userId: string, at = now): EmailEvent => ({ type: 'EmailReserved', data: { email, userId, at } });
  const released = (userId: string, at = now): EmailEvent => ({ type: 'EmailReleased', data: { email, userId, at } });

  t.test('a free email is reserved for the user', async (t) => {
    specification(t)(staffEmailDecider, []).when(reserve(alice)).then([reserved(alice)]);
  });
  t.test('an email held by another user is a conflict; by the same user, a retry', async (t) => {
    const given = specification(t);
    given(staffEmailDecider, [reserved(alice)]).when(reserve(bob, later)).thenThrows('conflict');
    given(staffEmailDecider, [reserved(alice)]).when(reserve(alice, later)).then([]);
  });
  t.test('only the holder releases; a released email may be reserved again by anyone', async (t) => {
    const given = specification(t);
    given(staffEmailDecider, [reserved(alice)]).when(release(alice, later)).then([released(alice, later)]);
    given(staffEmailDecider, [reserved(alice)]).when(release(bob, later)).then([]);
    given(staffEmailDecider, []).when(release(alice)).then([]);
    given(staffEmailDecider, [reserved(alice), released(alice)]).when(reserve(bob, later)).then([reserved(bob, later)]);
  });
});

t.test('staffPhoneDecider', async (t) => {
  const reserve = (userId: string): StaffPhoneCommand => ({ type: 'ReserveStaffPhone', data: { phone, userId, now } });
  const release = (userId: string): StaffPhoneCommand => ({ type: 'ReleaseStaffPhone', data: { phone, userId, now } });
  const reserved = (userId: string): StaffPhoneEvent => ({ type: 'StaffPhoneReserved', data: { phone, userId, at: now } });
  const released = (userId: string): StaffPhoneEvent => ({ type: 'StaffPhoneReleased', data: { phone, userId, at: now } });

  t.test('reserve, conflict, retry, release', async (t) => {
    const given = specification(t);
    given(staffPhoneDecider, []).when(reserve(alice)).then([reserved(alice)]);
    given(staffPhoneDecider, [reserved(alice)]).when(reserve(bob)).thenThrows('conflict');
    given(staffPhoneDecider, [reserved(alice)]).when(reserve(alice)).then([]);
    given(staffPhoneDecider, [reserved(alice)]).when(release(alice)).then([released(alice)]);
    given(staffPhoneDecider, [reserved(alice), released(alice)]).when(reserve(bob)).then([reserved(bob)]);
  });
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

  t.test('the folded state keeps what a deletion needs to release', async (t) => {
    const changed: UserEvent = { type: 'UserProfileChanged', data: { userId: alice, changes: { email: 'anya@clinic.example', lastName: 'Sidorova' }, changedAt: later } };
    const state = [registered, changed, deleted].reduce(userDecider.evolve, userDecider.initialState());
    t.strictSame(state, { status: 'deleted', userId: alice, email: 'anya@clinic.example', phone });
    const active = [registered, changed].reduce(userDecider.evolve, userDecider.initialState());
    t.match(active, { status: 'active', email: 'anya@clinic.example', profile: { firstName: 'Anna', lastName: 'Sidorova' }, platformAdmin: false });
  });
});
