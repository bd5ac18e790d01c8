import t from 'tap';
import { clientDecider, type ClientCommand } from '../../src/commands/clients/client.js';
import type { ClientEvent, ClientProfile } from '../../src/events/clients/client.js';
import { specification } from './spec.js';

// The decider of an account, as a pure function: the time and the ids come
// in the command. Every command, given/when/then:
// test/commands/clients/client.test.ts; a login phone's:
// test/commands/identity/contact.test.ts.

const phone = '+79517586284';
const alice = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const now = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T10:05:00.000Z';

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
