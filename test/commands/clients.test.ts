import t from 'tap';
import { clientDecider, registered, type ClientCommand } from '../../src/commands/clients/client.js';
import { clientRecordDecider, type ClientRecordCommand } from '../../src/commands/clients/client-record.js';
import { contactDecider, isContactTaken, type ContactCommand } from '../../src/commands/identity/contact.js';
import { fold } from '../../src/commands/decider.js';
import type { ClientEvent, ClientProfile } from '../../src/events/clients/client.js';
import type { ClientRecordEvent, RecordChanges } from '../../src/events/clients/client-record.js';
import type { ContactEvent } from '../../src/events/identity/contact.js';
import { specification } from './spec.js';

// The three deciders of the trust model (docs/trust-model.md): a person's
// ACCOUNT, an organization's client RECORD, and the OWNERSHIP of a login
// contact. Every command, given a history, decides these events or this refusal.

const alice = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const bob = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const orgA = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const orgB = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const recordA = '3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a10';
const recordA2 = '4a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c20';
const recordB = '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d30';
const phone = '+79517586284';
const newPhone = '+79001112233';
const challenge = '9c4d2b7a-1e3f-4a6b-8d5c-0f2e7b9a3c61';
const challenge2 = '2e4f6a8b-0c1d-4e2f-8a3b-5c6d7e8f9a40';
const t0 = '2026-11-23T10:00:00.000Z';
const t1 = '2026-11-23T10:01:00.000Z';
const t2 = '2026-11-23T10:02:00.000Z';

const profile: ClientProfile = { firstName: 'Anna', lastName: 'Petrova', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: '', links: {} };

// --- The account ------------------------------------------------------------

const registeredEvent: ClientEvent = { type: 'ClientRegistered', data: { schemaVersion: 2, clientId: alice, phone, profile, passwordSet: true, registeredAt: t0 } };
const verificationRequested = (p = phone, challengeId = challenge, at = t0): ClientEvent => ({ type: 'PhoneVerificationRequested', data: { clientId: alice, phone: p, challengeId, requestedAt: at } });
const phoneVerified = (p = phone, at = t1): ClientEvent => ({ type: 'PhoneVerified', data: { clientId: alice, phone: p, verifiedAt: at } });
const linkedTo = (organizationId: string, recordId: string, at = t1): ClientEvent => ({ type: 'ClientLinkedToRecord', data: { clientId: alice, organizationId, recordId, linkedAt: at } });
const unlinkedFrom = (organizationId: string, recordId: string, at = t2): ClientEvent => ({ type: 'ClientUnlinkedFromRecord', data: { clientId: alice, organizationId, recordId, unlinkedAt: at } });
const phoneChanged = (to: string, from = phone, at = t1): ClientEvent => ({ type: 'ClientPhoneChanged', data: { clientId: alice, phone: to, previousPhone: from, changedAt: at } });

/** Registered; the phone not verified yet. */
const unverified: ClientEvent[] = [registeredEvent, verificationRequested()];
/** Registered and verified: the phone gives the account its rights. */
const verified: ClientEvent[] = [...unverified, phoneVerified()];

const link = (organizationId: string, recordId: string, at = t2): ClientCommand => ({ type: 'LinkRecord', data: { organizationId, recordId, now: at } });
const unlink = (organizationId: string, recordId: string, at = t2): ClientCommand => ({ type: 'UnlinkRecord', data: { organizationId, recordId, now: at } });

t.test('clientDecider', async (t) => {
  t.test('RegisterClient', async (t) => {
    const given = specification(t);
    const register = (challengeId: string | null): ClientCommand => ({ type: 'RegisterClient', data: { clientId: alice, phone, profile, passwordSet: true, challengeId, now: t0 } });
    given(clientDecider, []).when(register(challenge)).then(unverified);
    given(clientDecider, []).when(register(null)).then([registeredEvent]);
    given(clientDecider, unverified).when(register(challenge)).thenThrows('conflict');
  });

  t.test('ChangeProfile: only the fields that differ; nothing that differs is no event', async (t) => {
    const given = specification(t);
    const change = (changes: Partial<ClientProfile>): ClientCommand => ({ type: 'ChangeProfile', data: { changes, now: t1 } });
    given(clientDecider, verified).when(change({ firstName: 'Anna', lastName: 'Ivanova', links: { vk: 'vk.com/anna' } })).then([
      { type: 'ClientProfileChanged', data: { clientId: alice, changes: { lastName: 'Ivanova', links: { vk: 'vk.com/anna' } }, changedAt: t1 } },
    ]);
    given(clientDecider, verified).when(change({ firstName: 'Anna', links: {} })).then([]);
    given(clientDecider, []).when(change({ firstName: 'Olga' })).thenThrows('not_found');
  });

  t.test('ChangePhone: the new phone is unverified and a code goes to it', async (t) => {
    const given = specification(t);
    const change = (p: string): ClientCommand => ({ type: 'ChangePhone', data: { phone: p, challengeId: challenge2, now: t1 } });
    given(clientDecider, verified).when(change(newPhone)).then([phoneChanged(newPhone), verificationRequested(newPhone, challenge2, t1)]);
    given(clientDecider, verified).when(change(phone)).then([]);
    given(clientDecider, []).when(change(newPhone)).thenThrows('not_found');
    const moved = fold(clientDecider, [...verified, phoneChanged(newPhone), verificationRequested(newPhone, challenge2, t1)]);
    t.match(moved, { phone: newPhone, confirmedPhone: false }, 'the verification of the old number does not carry over');
  });

  t.test('ChangePassword', async (t) => {
    const given = specification(t);
    given(clientDecider, verified).when({ type: 'ChangePassword', data: { now: t1 } }).then([{ type: 'ClientPasswordChanged', data: { clientId: alice, changedAt: t1 } }]);
    given(clientDecider, []).when({ type: 'ChangePassword', data: { now: t1 } }).thenThrows('not_found');
  });

  t.test('RequestPhoneVerification: a new code for the current phone while it is unverified', async (t) => {
    const given = specification(t);
    const request: ClientCommand = { type: 'RequestPhoneVerification', data: { challengeId: challenge2, now: t1 } };
    given(clientDecider, unverified).when(request).then([verificationRequested(phone, challenge2, t1)]);
    given(clientDecider, [...verified, phoneChanged(newPhone)]).when(request).then([verificationRequested(newPhone, challenge2, t1)]);
    given(clientDecider, verified).when(request).thenThrows('conflict');
    given(clientDecider, []).when(request).thenThrows('not_found');
  });

  t.test('VerifyPhone: a code verifies only the number it was sent to', async (t) => {
    const given = specification(t);
    const verify = (p: string): ClientCommand => ({ type: 'VerifyPhone', data: { phone: p, now: t1 } });
    given(clientDecider, unverified).when(verify(phone)).then([phoneVerified()]);
    given(clientDecider, unverified).when(verify(newPhone)).thenThrows('invalid');
    given(clientDecider, verified).when(verify(phone)).then([]);
    const moved = [...verified, phoneChanged(newPhone, phone, t1)];
    given(clientDecider, moved).when(verify(phone)).thenThrows('invalid');
    given(clientDecider, moved).when(verify(newPhone)).then([phoneVerified(newPhone)]);
    given(clientDecider, []).when(verify(phone)).thenThrows('not_found');
    // A verification recorded for the old number (racing the change) does not verify the new one.
    t.match(fold(clientDecider, [...unverified, phoneChanged(newPhone, phone, t1), phoneVerified(phone, t2)]), { phone: newPhone, confirmedPhone: false });
  });

  t.test('RequestLoginCode: only to a verified phone', async (t) => {
    const given = specification(t);
    const request: ClientCommand = { type: 'RequestLoginCode', data: { challengeId: challenge2, now: t2 } };
    given(clientDecider, verified).when(request).then([{ type: 'LoginCodeRequested', data: { clientId: alice, phone, challengeId: challenge2, requestedAt: t2 } }]);
    given(clientDecider, unverified).when(request).thenThrows('forbidden');
    given(clientDecider, [...verified, phoneChanged(newPhone)]).when(request).thenThrows('forbidden');
    given(clientDecider, []).when(request).thenThrows('not_found');
  });

  t.test('RequestReauthentication: only to a verified phone', async (t) => {
    const given = specification(t);
    const request: ClientCommand = { type: 'RequestReauthentication', data: { challengeId: challenge2, now: t2 } };
    given(clientDecider, verified).when(request).then([{ type: 'ClientReauthenticationRequested', data: { clientId: alice, phone, challengeId: challenge2, requestedAt: t2 } }]);
    given(clientDecider, unverified).when(request).thenThrows('conflict');
    given(clientDecider, []).when(request).thenThrows('not_found');
  });

  t.test('LinkRecord: a verified account links one record per organization', async (t) => {
    const given = specification(t);
    given(clientDecider, verified).when(link(orgA, recordA)).then([linkedTo(orgA, recordA, t2)]);
    given(clientDecider, unverified).when(link(orgA, recordA)).thenThrows('forbidden');
    given(clientDecider, []).when(link(orgA, recordA)).thenThrows('not_found');
    const linked = [...verified, linkedTo(orgA, recordA)];
    given(clientDecider, linked).when(link(orgA, recordA)).then([]);
    given(clientDecider, linked).when(link(orgA, recordA2)).thenThrows('conflict');
    given(clientDecider, linked).when(link(orgB, recordB)).then([linkedTo(orgB, recordB, t2)]);
    given(clientDecider, [...linked, unlinkedFrom(orgA, recordA)]).when(link(orgA, recordA2)).then([linkedTo(orgA, recordA2, t2)]);
    t.strictSame(registered(fold(clientDecider, [...linked, linkedTo(orgB, recordB)])).links, { [orgA]: recordA, [orgB]: recordB }, 'the state holds the record linked at each organization');
  });

  t.test('UnlinkRecord: only the record linked at that organization', async (t) => {
    const given = specification(t);
    const linked = [...verified, linkedTo(orgA, recordA)];
    given(clientDecider, linked).when(unlink(orgA, recordA)).then([unlinkedFrom(orgA, recordA)]);
    given(clientDecider, linked).when(unlink(orgA, recordA2)).then([]);
    given(clientDecider, verified).when(unlink(orgA, recordA)).then([]);
    given(clientDecider, [...linked, unlinkedFrom(orgA, recordA)]).when(unlink(orgA, recordA)).then([]);
    given(clientDecider, []).when(unlink(orgA, recordA)).thenThrows('not_found');
    t.match(fold(clientDecider, [...linked, unlinkedFrom(orgA, recordA2)]), { links: { [orgA]: recordA } }, 'an unlink of another record changes nothing');
  });
});

// --- The organization's record ---------------------------------------------

const opened = (organizationId = orgA, at = t0, openedBy: 'staff' | 'booking' | 'migration' = 'staff'): ClientRecordEvent => ({
  type: 'ClientRecordOpened',
  data: { recordId: recordA, organizationId, phone, profile, openedBy, openedAt: at },
});
const recordLinked = (clientId = alice, at = t1): ClientRecordEvent => ({ type: 'ClientRecordLinked', data: { recordId: recordA, organizationId: orgA, clientId, via: 'accepted', shared: ['firstName'], linkedAt: at } });
const recordUnlinked = (by: 'client' | 'organization', clientId = alice, at = t2): ClientRecordEvent => ({ type: 'ClientRecordUnlinked', data: { recordId: recordA, organizationId: orgA, clientId, by, unlinkedAt: at } });
const removed = (at = t2): ClientRecordEvent => ({ type: 'ClientRecordRemoved', data: { recordId: recordA, organizationId: orgA, removedAt: at } });

const open = (organizationId = orgA, at = t0): ClientRecordCommand => ({ type: 'OpenRecord', data: { recordId: recordA, organizationId, phone, profile, openedBy: 'staff', now: at } });
const linkAccount = (clientId = alice, at = t1): ClientRecordCommand => ({ type: 'LinkAccount', data: { clientId, via: 'accepted', shared: ['firstName'], now: at } });
const unlinkAccount = (clientId: string | null, by: 'client' | 'organization'): ClientRecordCommand => ({ type: 'UnlinkAccount', data: { clientId, by, now: t2 } });

t.test('clientRecordDecider', async (t) => {
  t.test('OpenRecord: opening again is a retry; a removed record opens anew; another organization is refused', async (t) => {
    const given = specification(t);
    given(clientRecordDecider, []).when(open()).then([opened()]);
    given(clientRecordDecider, [opened()]).when(open(orgA, t1)).then([]);
    given(clientRecordDecider, [opened(), removed()]).when(open(orgA, t2)).then([opened(orgA, t2)]);
    given(clientRecordDecider, [opened()]).when(open(orgB)).thenThrows('conflict');
    given(clientRecordDecider, [opened(), removed()]).when(open(orgB)).thenThrows('conflict');
    t.match(fold(clientRecordDecider, [opened(), recordLinked(), removed(), opened(orgA, t2)]), { status: 'open', clientId: null, shared: [], openedAt: t2 }, 'reopened: linked to nobody');
  });

  t.test('ChangeRecord: only what differs, the contact phone included', async (t) => {
    const given = specification(t);
    const change = (changes: RecordChanges): ClientRecordCommand => ({ type: 'ChangeRecord', data: { changes, now: t1 } });
    given(clientRecordDecider, [opened()]).when(change({ firstName: 'Anna', additionalInfo: 'likes dogs', phone: newPhone })).then([
      { type: 'ClientRecordChanged', data: { recordId: recordA, organizationId: orgA, changes: { additionalInfo: 'likes dogs', phone: newPhone }, changedAt: t1 } },
    ]);
    given(clientRecordDecider, [opened()]).when(change({ firstName: 'Anna', phone })).then([]);
    given(clientRecordDecider, []).when(change({ firstName: 'Olga' })).thenThrows('not_found');
    given(clientRecordDecider, [opened(), removed()]).when(change({ firstName: 'Olga' })).thenThrows('not_found');
    t.match(fold(clientRecordDecider, [opened(), { type: 'ClientRecordChanged', data: { recordId: recordA, organizationId: orgA, changes: { phone: newPhone, lastName: 'Ivanova' }, changedAt: t1 } }]), {
      phone: newPhone,
      profile: { ...profile, lastName: 'Ivanova' },
    }, 'the phone is the record’s own field, not part of the profile');
  });

  t.test('LinkAccount: one account only', async (t) => {
    const given = specification(t);
    given(clientRecordDecider, [opened()]).when(linkAccount()).then([recordLinked()]);
    given(clientRecordDecider, [opened(), recordLinked()]).when(linkAccount(alice, t2)).then([]);
    given(clientRecordDecider, [opened(), recordLinked()]).when(linkAccount(bob)).thenThrows('conflict');
    given(clientRecordDecider, [opened(), recordLinked(), recordUnlinked('client')]).when(linkAccount(bob)).then([recordLinked(bob)]);
    given(clientRecordDecider, []).when(linkAccount()).thenThrows('not_found');
    given(clientRecordDecider, [opened(), removed()]).when(linkAccount()).thenThrows('not_found');
  });

  t.test('UnlinkAccount: the person unlinks only their own link; the organization unlinks whoever is linked', async (t) => {
    const given = specification(t);
    const linked = [opened(), recordLinked()];
    given(clientRecordDecider, linked).when(unlinkAccount(alice, 'client')).then([recordUnlinked('client')]);
    given(clientRecordDecider, linked).when(unlinkAccount(bob, 'client')).then([]);
    given(clientRecordDecider, linked).when(unlinkAccount(null, 'organization')).then([recordUnlinked('organization')]);
    given(clientRecordDecider, [opened()]).when(unlinkAccount(null, 'organization')).then([]);
    given(clientRecordDecider, [...linked, recordUnlinked('client')]).when(unlinkAccount(alice, 'client')).then([]);
    given(clientRecordDecider, [opened(), removed()]).when(unlinkAccount(null, 'organization')).thenThrows('not_found');
    t.match(fold(clientRecordDecider, [...linked, recordUnlinked('organization')]), { status: 'open', clientId: null, shared: [] });
  });

  t.test('RemoveRecord: an open record is removed, with its link; a removed one is gone', async (t) => {
    const given = specification(t);
    const remove: ClientRecordCommand = { type: 'RemoveRecord', data: { now: t2 } };
    given(clientRecordDecider, [opened()]).when(remove).then([removed()]);
    given(clientRecordDecider, [opened(), recordLinked()]).when(remove).then([removed()]);
    given(clientRecordDecider, [opened(), removed()]).when(remove).thenThrows('not_found');
    given(clientRecordDecider, []).when(remove).thenThrows('not_found');
    t.match(fold(clientRecordDecider, [opened(), recordLinked(), removed()]), { status: 'removed', clientId: null, shared: [] });
  });
});

// --- Ownership of a login contact ------------------------------------------

const own = (ownerId: string, at = t0): ContactCommand => ({ type: 'OwnContact', data: { contact: phone, ownerId, now: at } });
const release = (ownerId: string, at = t1): ContactCommand => ({ type: 'ReleaseContact', data: { contact: phone, ownerId, now: at } });
const owned = (ownerId: string, at = t0): ContactEvent => ({ type: 'ContactOwned', data: { contact: phone, ownerId, at } });
const released = (ownerId: string, at = t1): ContactEvent => ({ type: 'ContactReleased', data: { contact: phone, ownerId, at } });
// Written at registration before the trust model: a claim, never ownership.
const legacyReserved = (clientId: string) => ({ type: 'PhoneReserved', data: { phone, clientId, reservedAt: t0 } }) as unknown as ContactEvent;
const legacyReleased = (clientId: string) => ({ type: 'PhoneReleased', data: { phone, clientId, releasedAt: t1 } }) as unknown as ContactEvent;

t.test('contactDecider', async (t) => {
  t.test('OwnContact: a free contact is owned; owning again is a retry; another owner is a conflict', async (t) => {
    const given = specification(t);
    given(contactDecider, []).when(own(alice)).then([owned(alice)]);
    given(contactDecider, [owned(alice)]).when(own(alice, t1)).then([]);
    given(contactDecider, [owned(alice)]).when(own(bob, t1)).thenThrows('conflict');
    const error = (() => {
      try {
        contactDecider.decide(own(bob, t1), fold(contactDecider, [owned(alice)]));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    t.ok(isContactTaken(error), 'the conflict says the contact is taken, for the caller to word');
    given(contactDecider, [owned(alice), released(alice)]).when(own(bob, t2)).then([owned(bob, t2)]);
  });

  t.test('ReleaseContact: only by its owner; anything else changes nothing', async (t) => {
    const given = specification(t);
    given(contactDecider, [owned(alice)]).when(release(alice)).then([released(alice)]);
    given(contactDecider, [owned(alice)]).when(release(bob)).then([]);
    given(contactDecider, []).when(release(alice)).then([]);
    given(contactDecider, [owned(alice), released(alice)]).when(release(alice, t2)).then([]);
  });

  t.test('legacy PhoneReserved / PhoneReleased events are claims: ownership ignores them', async (t) => {
    const given = specification(t);
    t.strictSame(fold(contactDecider, [legacyReserved(alice)]), { status: 'free' });
    given(contactDecider, [legacyReserved(alice)]).when(own(bob)).then([owned(bob)]);
    given(contactDecider, [legacyReserved(alice)]).when(own(alice)).then([owned(alice)]);
    given(contactDecider, [legacyReserved(alice), owned(alice), legacyReleased(alice)]).when(own(bob)).thenThrows('conflict');
    given(contactDecider, [legacyReserved(alice)]).when(release(alice)).then([]);
  });
});
