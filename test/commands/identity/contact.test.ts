import t from 'tap';
import { contactDecider, isContactTaken, type ContactCommand } from '../../../src/commands/identity/contact.js';
import type { ContactEvent } from '../../../src/events/identity/contact.js';
import { specification } from '../spec.js';

// Every command of a login contact stream (a phone or an email), given/when/then.
// Ownership comes only from a verification (docs/trust-model.md).

const contact = '+79517586284';
const alice = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const bob = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const now = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T10:05:00.000Z';

const owned = (ownerId: string, at = now): ContactEvent => ({ type: 'ContactOwned', data: { contact, ownerId, at } });
const released = (ownerId: string, at = now): ContactEvent => ({ type: 'ContactReleased', data: { contact, ownerId, at } });
const own = (ownerId: string, at = later): ContactCommand => ({ type: 'OwnContact', data: { contact, ownerId, now: at } });
const release = (ownerId: string, at = later): ContactCommand => ({ type: 'ReleaseContact', data: { contact, ownerId, now: at } });

t.test('OwnContact', async (t) => {
  t.test('a free phone is owned by the account that verified it, at the time the command brings', async (t) => {
    specification(t)(contactDecider, []).when(own(alice, now)).then([owned(alice)]);
  });
  t.test('a phone owned by another account is a conflict', async (t) => {
    specification(t)(contactDecider, [owned(alice)]).when(own(bob)).thenThrows('conflict');
  });
  t.test('owning again for the same account is a retry: nothing new happens', async (t) => {
    specification(t)(contactDecider, [owned(alice)]).when(own(alice)).then([]);
  });
  t.test('a released contact is owned by whoever verifies it next', async (t) => {
    specification(t)(contactDecider, [owned(alice), released(alice)]).when(own(bob)).then([owned(bob, later)]);
  });
  t.test('the conflict with another owner is the one isContactTaken recognises', async (t) => {
    let error: unknown;
    try {
      contactDecider.decide(own(bob), contactDecider.evolve(contactDecider.initialState(), owned(alice)));
    } catch (caught) {
      error = caught;
    }
    t.ok(isContactTaken(error), 'a taken contact, not some other conflict');
  });
});

t.test('ReleaseContact', async (t) => {
  t.test('the owner releases their contact', async (t) => {
    specification(t)(contactDecider, [owned(alice)]).when(release(alice)).then([released(alice, later)]);
  });
  t.test('someone who does not own it releases nothing (a compensation after a lost race)', async (t) => {
    specification(t)(contactDecider, [owned(alice)]).when(release(bob)).then([]);
  });
  t.test('releasing a free contact is a retry: nothing new', async (t) => {
    specification(t)(contactDecider, [owned(alice), released(alice)]).when(release(alice)).then([]);
    specification(t)(contactDecider, []).when(release(alice)).then([]);
  });
});
