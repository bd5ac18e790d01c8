import t from 'tap';
import { clientDecider, type ClientCommand } from '../../src/commands/clients/client.js';
import { contactDecider, type ContactCommand } from '../../src/commands/identity/contact.js';
import type { ClientEvent, ClientProfile } from '../../src/events/clients/client.js';
import type { ContactOwned } from '../../src/events/identity/contact.js';
import { specification } from './spec.js';

// The deciders of a login phone and of an account, as pure functions: the
// time and the ids come in the command. Every command of both, in detail:
// test/commands/clients.test.ts.

const phone = '+79517586284';
const alice = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const bob = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const now = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T10:05:00.000Z';

// A phone stream records ownership, which only a verification gives (docs/trust-model.md).
const own = (ownerId: string, at = now): ContactCommand => ({ type: 'OwnContact', data: { contact: phone, ownerId, now: at } });
const owned = (ownerId: string, at = now): ContactOwned => ({ type: 'ContactOwned', data: { contact: phone, ownerId, at } });

t.test('contactDecider', async (t) => {
  t.test('a free phone is owned by the account that verified it, at the time the command brings', async (t) => {
    const given = specification(t);
    given(contactDecider, []).when(own(alice)).then([owned(alice)]);
  });

  t.test('a phone owned by another account is a conflict', async (t) => {
    const given = specification(t);
    given(contactDecider, [owned(alice)]).when(own(bob, later)).thenThrows('conflict');
  });

  t.test('owning again for the same account is a retry: nothing new happens', async (t) => {
    const given = specification(t);
    given(contactDecider, [owned(alice)]).when(own(alice, later)).then([]);
  });
});

t.test('clientDecider', async (t) => {
  const profile: ClientProfile = {
    firstName: 'Anna',
    lastName: 'Petrova',
    patronymic: 'Ivanovna',
    email: null,
    birthday: '1990-04-01',
    sex: null,
    address: '',
    additionalInfo: '',
    links: {},
  };
  const challengeId = '9c4d2b7a-1e3f-4a6b-8d5c-0f2e7b9a3c61';
  const register = (passwordSet: boolean, at = now): ClientCommand => ({
    type: 'RegisterClient',
    data: { clientId: alice, phone, profile, passwordSet, challengeId, now: at },
  });
  // Registration also asks for the phone to be verified, with the challenge id the command brings.
  const registered = (passwordSet: boolean, at = now): ClientEvent[] => [
    { type: 'ClientRegistered', data: { schemaVersion: 2, clientId: alice, phone, profile, passwordSet, registeredAt: at } },
    { type: 'PhoneVerificationRequested', data: { clientId: alice, phone, challengeId, requestedAt: at } },
  ];

  t.test('registering records the client with the id and time from the command', async (t) => {
    const given = specification(t);
    given(clientDecider, []).when(register(true)).then(registered(true));
    given(clientDecider, []).when(register(false, later)).then(registered(false, later));
  });

  t.test('registering an already registered client is a conflict', async (t) => {
    const given = specification(t);
    given(clientDecider, registered(true)).when(register(true, later)).thenThrows('conflict');
  });

  t.test('the folded state is what a later command decides against', async (t) => {
    const state = registered(false).reduce(clientDecider.evolve, clientDecider.initialState());
    t.strictSame(state, { status: 'registered', clientId: alice, phone, profile, confirmedPhone: false, links: {}, registeredAt: now, updatedAt: now });
    t.strictSame(clientDecider.initialState(), { status: 'none' }, 'evolve did not touch the initial state');
  });
});
