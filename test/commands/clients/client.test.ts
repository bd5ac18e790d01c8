import t from 'tap';
import { clientDecider, type ClientCommand } from '../../../src/commands/clients/client.js';
import type { ClientEvent, ClientProfile } from '../../../src/events/clients/client.js';
import { specification } from '../spec.js';

// Every command of a person's own account (`client-{id}`), given/when/then.

const clientId = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const orgA = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const orgB = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const recordA = '3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a10';
const recordA2 = '4a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c20';
const recordB = '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d30';
const phone = '+79517586284';
const newPhone = '+79001112233';
const challengeId = '9c4d2b7a-1e3f-4a6b-8d5c-0f2e7b9a3c61';
const t0 = '2026-11-23T10:00:00.000Z';
const t1 = '2026-11-23T10:01:00.000Z';
const t2 = '2026-11-23T10:02:00.000Z';
const profile: ClientProfile = { firstName: 'Anna', lastName: 'Petrova', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: '', links: {} };

const registeredEvent = (at = t0): ClientEvent => ({ type: 'ClientRegistered', data: { schemaVersion: 2, clientId, phone, profile, passwordSet: true, registeredAt: at } });
const verificationRequested = (to = phone, at = t0): ClientEvent => ({ type: 'PhoneVerificationRequested', data: { clientId, phone: to, challengeId, requestedAt: at } });
const phoneVerified = (number = phone, at = t1): ClientEvent => ({ type: 'PhoneVerified', data: { clientId, phone: number, verifiedAt: at } });
const phoneChanged = (to: string, at = t1): ClientEvent => ({ type: 'ClientPhoneChanged', data: { clientId, phone: to, previousPhone: phone, changedAt: at } });
const linkedTo = (organizationId: string, recordId: string, at = t1): ClientEvent => ({ type: 'ClientLinkedToRecord', data: { clientId, organizationId, recordId, linkedAt: at } });
const unlinkedFrom = (organizationId: string, recordId: string, at = t1): ClientEvent => ({ type: 'ClientUnlinkedFromRecord', data: { clientId, organizationId, recordId, unlinkedAt: at } });

/** Registered; the phone not verified yet. */
const unverified: ClientEvent[] = [registeredEvent(), verificationRequested()];
/** Registered and verified: the phone gives the account its rights. */
const verified: ClientEvent[] = [...unverified, phoneVerified()];

const register = (challenge: string | null, withProfile: ClientProfile = profile): ClientCommand => ({
  type: 'RegisterClient',
  data: { clientId, phone, profile: withProfile, passwordSet: true, challengeId: challenge, now: t0 },
});
const changeProfile = (changes: Partial<ClientProfile>): ClientCommand => ({ type: 'ChangeProfile', data: { changes, now: t2 } });
const changePhone = (to: string): ClientCommand => ({ type: 'ChangePhone', data: { phone: to, challengeId, now: t2 } });
const changePassword: ClientCommand = { type: 'ChangePassword', data: { now: t2 } };
const requestVerification: ClientCommand = { type: 'RequestPhoneVerification', data: { challengeId, now: t2 } };
const verifyPhone = (number: string): ClientCommand => ({ type: 'VerifyPhone', data: { phone: number, now: t2 } });
const requestLoginCode: ClientCommand = { type: 'RequestLoginCode', data: { challengeId, now: t2 } };
const requestReauthentication: ClientCommand = { type: 'RequestReauthentication', data: { challengeId, now: t2 } };
const link = (organizationId: string, recordId: string): ClientCommand => ({ type: 'LinkRecord', data: { organizationId, recordId, now: t2 } });
const unlink = (organizationId: string, recordId: string): ClientCommand => ({ type: 'UnlinkRecord', data: { organizationId, recordId, now: t2 } });

t.test('RegisterClient', async (t) => {
  t.test('self-registration records the account and asks for a code to the phone', async (t) => {
    specification(t)(clientDecider, []).when(register(challengeId)).then(unverified);
  });
  t.test('registration without a challenge sends no code', async (t) => {
    specification(t)(clientDecider, []).when(register(null)).then([registeredEvent()]);
  });
  t.test('only the profile fields the event names are recorded', async (t) => {
    specification(t)(clientDecider, []).when(register(null, { ...profile, isAdmin: true } as ClientProfile)).then([registeredEvent()]);
  });
  t.test('a registered client cannot register again: conflict', async (t) => {
    specification(t)(clientDecider, verified).when(register(challengeId)).thenThrows('conflict');
  });
});

t.test('ChangeProfile', async (t) => {
  t.test('only the fields that differ are recorded, links compared by value', async (t) => {
    specification(t)(clientDecider, verified)
      .when(changeProfile({ firstName: 'Anna', lastName: 'Ivanova', links: { vk: 'vk.com/anna' } }))
      .then([{ type: 'ClientProfileChanged', data: { clientId, changes: { lastName: 'Ivanova', links: { vk: 'vk.com/anna' } }, changedAt: t2 } }]);
  });
  t.test('a change to nothing new is no event', async (t) => {
    specification(t)(clientDecider, verified).when(changeProfile({ firstName: 'Anna', links: {} })).then([]);
  });
  t.test('an unverified account may change its profile too', async (t) => {
    specification(t)(clientDecider, unverified)
      .when(changeProfile({ email: 'anna@example.com' }))
      .then([{ type: 'ClientProfileChanged', data: { clientId, changes: { email: 'anna@example.com' }, changedAt: t2 } }]);
  });
  t.test('an unknown account has no profile to change: not_found', async (t) => {
    specification(t)(clientDecider, []).when(changeProfile({ firstName: 'Olga' })).thenThrows('not_found');
  });
});

t.test('ChangePhone', async (t) => {
  t.test('a new phone is recorded with the one it replaces, and a code goes to it', async (t) => {
    specification(t)(clientDecider, verified).when(changePhone(newPhone)).then([phoneChanged(newPhone, t2), verificationRequested(newPhone, t2)]);
  });
  t.test('changing to the same phone is no event', async (t) => {
    specification(t)(clientDecider, verified).when(changePhone(phone)).then([]);
  });
  t.test('an unknown account has no phone to change: not_found', async (t) => {
    specification(t)(clientDecider, []).when(changePhone(newPhone)).thenThrows('not_found');
  });
});

t.test('ChangePassword', async (t) => {
  t.test('a password change is recorded as a fact, never the secret', async (t) => {
    specification(t)(clientDecider, verified).when(changePassword).then([{ type: 'ClientPasswordChanged', data: { clientId, changedAt: t2 } }]);
  });
  t.test('an unknown account has no password to change: not_found', async (t) => {
    specification(t)(clientDecider, []).when(changePassword).thenThrows('not_found');
  });
});

t.test('RequestPhoneVerification', async (t) => {
  t.test('an unverified phone gets a new code', async (t) => {
    specification(t)(clientDecider, unverified).when(requestVerification).then([verificationRequested(phone, t2)]);
  });
  t.test('after a phone change the code goes to the new number', async (t) => {
    specification(t)(clientDecider, [...verified, phoneChanged(newPhone)]).when(requestVerification).then([verificationRequested(newPhone, t2)]);
  });
  t.test('a verified phone needs no code: conflict', async (t) => {
    specification(t)(clientDecider, verified).when(requestVerification).thenThrows('conflict');
  });
  t.test('an unknown account gets no code: not_found', async (t) => {
    specification(t)(clientDecider, []).when(requestVerification).thenThrows('not_found');
  });
});

t.test('VerifyPhone', async (t) => {
  t.test('a code sent to the current phone verifies it', async (t) => {
    specification(t)(clientDecider, unverified).when(verifyPhone(phone)).then([phoneVerified(phone, t2)]);
  });
  t.test('verifying a verified phone again is a retry: nothing new', async (t) => {
    specification(t)(clientDecider, verified).when(verifyPhone(phone)).then([]);
  });
  t.test('a code sent to the number before a change verifies nothing: invalid', async (t) => {
    specification(t)(clientDecider, [...unverified, phoneChanged(newPhone)]).when(verifyPhone(phone)).thenThrows('invalid');
  });
  t.test('the new number, once changed to, is unverified until its own code', async (t) => {
    specification(t)(clientDecider, [...verified, phoneChanged(newPhone)]).when(verifyPhone(newPhone)).then([phoneVerified(newPhone, t2)]);
  });
  t.test('an unknown account verifies nothing: not_found', async (t) => {
    specification(t)(clientDecider, []).when(verifyPhone(phone)).thenThrows('not_found');
  });
});

t.test('RequestLoginCode', async (t) => {
  t.test('a verified phone gets a login code', async (t) => {
    specification(t)(clientDecider, verified)
      .when(requestLoginCode)
      .then([{ type: 'LoginCodeRequested', data: { clientId, phone, challengeId, requestedAt: t2 } }]);
  });
  t.test('an unverified phone gets no login code: forbidden', async (t) => {
    specification(t)(clientDecider, unverified).when(requestLoginCode).thenThrows('forbidden');
  });
  t.test('a changed phone is unverified, so it gets no login code: forbidden', async (t) => {
    specification(t)(clientDecider, [...verified, phoneChanged(newPhone)]).when(requestLoginCode).thenThrows('forbidden');
  });
  t.test('an unknown account gets no login code: not_found', async (t) => {
    specification(t)(clientDecider, []).when(requestLoginCode).thenThrows('not_found');
  });
});

t.test('RequestReauthentication', async (t) => {
  t.test('a verified phone gets a re-authentication code', async (t) => {
    specification(t)(clientDecider, verified)
      .when(requestReauthentication)
      .then([{ type: 'ClientReauthenticationRequested', data: { clientId, phone, challengeId, requestedAt: t2 } }]);
  });
  t.test('without a verified phone there is nowhere to send it: conflict', async (t) => {
    specification(t)(clientDecider, unverified).when(requestReauthentication).thenThrows('conflict');
  });
  t.test('an unknown account gets no code: not_found', async (t) => {
    specification(t)(clientDecider, []).when(requestReauthentication).thenThrows('not_found');
  });
});

t.test('LinkRecord', async (t) => {
  t.test('a verified account links a record of an organization', async (t) => {
    specification(t)(clientDecider, verified).when(link(orgA, recordA)).then([linkedTo(orgA, recordA, t2)]);
  });
  t.test('linking the same record again is a retry: nothing new', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA)]).when(link(orgA, recordA)).then([]);
  });
  t.test('each organization has its own link', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA)]).when(link(orgB, recordB)).then([linkedTo(orgB, recordB, t2)]);
  });
  t.test('a second record of the same organization is refused: conflict', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA)]).when(link(orgA, recordA2)).thenThrows('conflict');
  });
  t.test('once unlinked, another record of that organization may be linked', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA), unlinkedFrom(orgA, recordA)]).when(link(orgA, recordA2)).then([linkedTo(orgA, recordA2, t2)]);
  });
  t.test('an unverified account links nothing: forbidden', async (t) => {
    specification(t)(clientDecider, unverified).when(link(orgA, recordA)).thenThrows('forbidden');
  });
  t.test('an unknown account links nothing: not_found', async (t) => {
    specification(t)(clientDecider, []).when(link(orgA, recordA)).thenThrows('not_found');
  });
});

t.test('UnlinkRecord', async (t) => {
  t.test('the record linked at that organization is unlinked', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA)]).when(unlink(orgA, recordA)).then([unlinkedFrom(orgA, recordA, t2)]);
  });
  t.test('unlinking what is not linked is a retry: nothing new', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA), unlinkedFrom(orgA, recordA)]).when(unlink(orgA, recordA)).then([]);
  });
  t.test('a record other than the one linked there is left alone: nothing new', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA)]).when(unlink(orgA, recordA2)).then([]);
  });
  t.test('an unverified account may still unlink (nothing linked: nothing new)', async (t) => {
    specification(t)(clientDecider, unverified).when(unlink(orgA, recordA)).then([]);
  });
  t.test('an unknown account unlinks nothing: not_found', async (t) => {
    specification(t)(clientDecider, []).when(unlink(orgA, recordA)).thenThrows('not_found');
  });
});

const erased = (records: string[] = [], by: 'client' | 'platform_admin' = 'client', at = t2): ClientEvent => ({ type: 'ClientErased', data: { clientId, by, records, erasedAt: at } });
const erase = (by: 'client' | 'platform_admin' = 'client'): ClientCommand => ({ type: 'EraseClient', data: { by, now: t2 } });

t.test('EraseClient', async (t) => {
  t.test('the person erases their account: the event names who, when, and the records linked now, and nothing personal', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA), linkedTo(orgB, recordB)]).when(erase()).then([erased([recordA, recordB])]);
  });
  t.test('a record unlinked before is the organization’s: not erased with the account', async (t) => {
    specification(t)(clientDecider, [...verified, linkedTo(orgA, recordA), unlinkedFrom(orgA, recordA), linkedTo(orgB, recordB)]).when(erase()).then([erased([recordB])]);
  });
  t.test('a platform admin erases an account, unverified or not', async (t) => {
    specification(t)(clientDecider, unverified).when(erase('platform_admin')).then([erased([], 'platform_admin')]);
  });
  t.test('erasing again (a retry, the loser of a race) is nothing new', async (t) => {
    specification(t)(clientDecider, [...verified, erased()]).when(erase()).then([]);
    specification(t)(clientDecider, [...verified, erased()]).when(erase('platform_admin')).then([]);
  });
  t.test('an unknown account cannot be erased: not_found', async (t) => {
    specification(t)(clientDecider, []).when(erase()).thenThrows('not_found');
  });
});

t.test('an erased account refuses every other command as not found', async (t) => {
  const history = [...verified, linkedTo(orgA, recordA), erased([recordA])];
  const commands: ClientCommand[] = [
    register(challengeId),
    changeProfile({ firstName: 'Maria' }),
    changePhone(newPhone),
    changePassword,
    requestVerification,
    verifyPhone(phone),
    requestLoginCode,
    requestReauthentication,
    link(orgB, recordB),
    unlink(orgA, recordA),
  ];
  for (const command of commands) {
    t.test(command.type, async (t) => specification(t)(clientDecider, history).when(command).thenThrows('not_found'));
  }
});
