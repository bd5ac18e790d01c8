import t from 'tap';
import { clientRecordDecider, type ClientRecordCommand } from '../../../src/commands/clients/client-record.js';
import type { ClientProfile } from '../../../src/events/clients/client.js';
import type { ClientRecordEvent, RecordChanges } from '../../../src/events/clients/client-record.js';
import { specification } from '../spec.js';

// Every command of one organization's client record (`client-record-{id}`), given/when/then.

const recordId = '3f1e2d4c-5b6a-4798-8a7b-6c5d4e3f2a10';
const orgA = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const orgB = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const alice = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const bob = '5a2e7c9b-8f14-4b0a-a1d2-6c3e9f0b2d44';
const phone = '+79517586284';
const t0 = '2026-11-23T10:00:00.000Z';
const t1 = '2026-11-23T10:01:00.000Z';
const t2 = '2026-11-23T10:02:00.000Z';
const profile: ClientProfile = { firstName: 'Anna', lastName: 'Petrova', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: 'prefers mornings', links: {} };
const ids = { recordId, organizationId: orgA };

const opened = (at = t0, openedBy: 'staff' | 'booking' = 'staff'): ClientRecordEvent => ({ type: 'ClientRecordOpened', data: { ...ids, phone, profile, openedBy, openedAt: at } });
const linked = (clientId = alice, at = t1): ClientRecordEvent => ({ type: 'ClientRecordLinked', data: { ...ids, clientId, via: 'accepted', shared: ['firstName'], linkedAt: at } });
const unlinked = (clientId = alice, by: 'client' | 'organization' = 'client', at = t1): ClientRecordEvent => ({
  type: 'ClientRecordUnlinked',
  data: { ...ids, clientId, by, unlinkedAt: at },
});
const removed = (at = t1): ClientRecordEvent => ({ type: 'ClientRecordRemoved', data: { ...ids, removedAt: at } });

const open = (organizationId = orgA, openedBy: 'staff' | 'booking' = 'staff', withProfile: ClientProfile = profile): ClientRecordCommand => ({
  type: 'OpenRecord',
  data: { recordId, organizationId, phone, profile: withProfile, openedBy, now: t2 },
});
const change = (changes: RecordChanges): ClientRecordCommand => ({ type: 'ChangeRecord', data: { changes, now: t2 } });
const linkAccount = (clientId = alice): ClientRecordCommand => ({ type: 'LinkAccount', data: { clientId, via: 'accepted', shared: ['firstName'], now: t2 } });
const unlinkAccount = (clientId: string | null, by: 'client' | 'organization'): ClientRecordCommand => ({ type: 'UnlinkAccount', data: { clientId, by, now: t2 } });
const remove: ClientRecordCommand = { type: 'RemoveRecord', data: { now: t2 } };

t.test('OpenRecord', async (t) => {
  t.test('staff open a record with the ids and time the command brings', async (t) => {
    specification(t)(clientRecordDecider, []).when(open()).then([opened(t2)]);
  });
  t.test('only the profile fields the event names are recorded', async (t) => {
    specification(t)(clientRecordDecider, []).when(open(orgA, 'staff', { ...profile, clientId: bob } as ClientProfile)).then([opened(t2)]);
  });
  t.test('opening an open record again (a retry, two bookings at once) is nothing new', async (t) => {
    specification(t)(clientRecordDecider, [opened()]).when(open(orgA, 'booking')).then([]);
  });
  t.test('a removed record opens anew', async (t) => {
    specification(t)(clientRecordDecider, [opened(), removed()]).when(open(orgA, 'booking')).then([opened(t2, 'booking')]);
  });
  t.test("another organization's record cannot be opened: conflict", async (t) => {
    specification(t)(clientRecordDecider, [opened()]).when(open(orgB)).thenThrows('conflict');
  });
  t.test("another organization's removed record cannot be reopened either: conflict", async (t) => {
    specification(t)(clientRecordDecider, [opened(), removed()]).when(open(orgB)).thenThrows('conflict');
  });
});

t.test('ChangeRecord', async (t) => {
  t.test('only the fields that differ are recorded, the contact phone included', async (t) => {
    specification(t)(clientRecordDecider, [opened()])
      .when(change({ firstName: 'Anna', lastName: 'Ivanova', phone: '+79001112233' }))
      .then([{ type: 'ClientRecordChanged', data: { ...ids, changes: { lastName: 'Ivanova', phone: '+79001112233' }, changedAt: t2 } }]);
  });
  t.test('a change to nothing new is no event', async (t) => {
    specification(t)(clientRecordDecider, [opened()]).when(change({ phone, additionalInfo: 'prefers mornings', links: {} })).then([]);
  });
  t.test('a removed record cannot be changed: not_found', async (t) => {
    specification(t)(clientRecordDecider, [opened(), removed()]).when(change({ lastName: 'Ivanova' })).thenThrows('not_found');
  });
  t.test('an unknown record cannot be changed: not_found', async (t) => {
    specification(t)(clientRecordDecider, []).when(change({ lastName: 'Ivanova' })).thenThrows('not_found');
  });
});

t.test('LinkAccount', async (t) => {
  t.test('an unlinked record is linked to the account, with what it shares', async (t) => {
    specification(t)(clientRecordDecider, [opened()]).when(linkAccount()).then([linked(alice, t2)]);
  });
  t.test('linking the same account again is a retry: nothing new', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked()]).when(linkAccount()).then([]);
  });
  t.test('a record linked to another account is refused: conflict', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked(alice)]).when(linkAccount(bob)).thenThrows('conflict');
  });
  t.test('once unlinked, another account may link it', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked(alice), unlinked(alice)]).when(linkAccount(bob)).then([linked(bob, t2)]);
  });
  t.test('a removed record cannot be linked: not_found', async (t) => {
    specification(t)(clientRecordDecider, [opened(), removed()]).when(linkAccount()).thenThrows('not_found');
  });
  t.test('an unknown record cannot be linked: not_found', async (t) => {
    specification(t)(clientRecordDecider, []).when(linkAccount()).thenThrows('not_found');
  });
});

t.test('UnlinkAccount', async (t) => {
  t.test('the person unlinks their own link', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked(alice)]).when(unlinkAccount(alice, 'client')).then([unlinked(alice, 'client', t2)]);
  });
  t.test("a person cannot unlink someone else's link: nothing new", async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked(alice)]).when(unlinkAccount(bob, 'client')).then([]);
  });
  t.test('the organization unlinks whoever is linked', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked(alice)]).when(unlinkAccount(null, 'organization')).then([unlinked(alice, 'organization', t2)]);
  });
  t.test('unlinking a record linked to nobody is a retry: nothing new', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked(alice), unlinked(alice)]).when(unlinkAccount(alice, 'client')).then([]);
    specification(t)(clientRecordDecider, [opened()]).when(unlinkAccount(null, 'organization')).then([]);
  });
  t.test('a removed record cannot be unlinked: not_found', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked(alice), removed()]).when(unlinkAccount(alice, 'client')).thenThrows('not_found');
  });
  t.test('an unknown record cannot be unlinked: not_found', async (t) => {
    specification(t)(clientRecordDecider, []).when(unlinkAccount(null, 'organization')).thenThrows('not_found');
  });
});

t.test('RemoveRecord', async (t) => {
  t.test('an open record is removed, linked or not', async (t) => {
    specification(t)(clientRecordDecider, [opened()]).when(remove).then([removed(t2)]);
    specification(t)(clientRecordDecider, [opened(), linked()]).when(remove).then([removed(t2)]);
  });
  t.test('a removed record cannot be removed again: not_found', async (t) => {
    specification(t)(clientRecordDecider, [opened(), removed()]).when(remove).thenThrows('not_found');
  });
  t.test('an unknown record cannot be removed: not_found', async (t) => {
    specification(t)(clientRecordDecider, []).when(remove).thenThrows('not_found');
  });
});

const erasedBy = (by: 'client' | 'organization', at = t2): ClientRecordEvent => ({ type: 'ClientRecordErased', data: { ...ids, by, erasedAt: at } });
const erase = (by: 'client' | 'organization'): ClientRecordCommand => ({ type: 'EraseRecord', data: { by, now: t2 } });

t.test('EraseRecord', async (t) => {
  t.test('the organization erases its record: the event names who and when, and nothing personal', async (t) => {
    specification(t)(clientRecordDecider, [opened()]).when(erase('organization')).then([erasedBy('organization')]);
  });
  t.test('the person erasing their account erases the records it links', async (t) => {
    specification(t)(clientRecordDecider, [opened(), linked()]).when(erase('client')).then([erasedBy('client')]);
  });
  t.test('a removed record is erased too: the log still holds what it noted', async (t) => {
    specification(t)(clientRecordDecider, [opened(), removed()]).when(erase('organization')).then([erasedBy('organization')]);
  });
  t.test('erasing again (a retry, the loser of a race) is nothing new', async (t) => {
    specification(t)(clientRecordDecider, [opened(), erasedBy('client', t1)]).when(erase('organization')).then([]);
  });
  t.test('an unknown record cannot be erased: not_found', async (t) => {
    specification(t)(clientRecordDecider, []).when(erase('organization')).thenThrows('not_found');
  });
});

t.test('an erased record refuses every other command as not found', async (t) => {
  const history = [opened(), linked(), erasedBy('organization', t1)];
  const commands: ClientRecordCommand[] = [open(), open(orgB), change({ firstName: 'Maria' }), linkAccount(bob), unlinkAccount(null, 'organization'), unlinkAccount(alice, 'client'), remove];
  for (const command of commands) {
    t.test(`${command.type} ${JSON.stringify(command.data).slice(0, 40)}`, async (t) => specification(t)(clientRecordDecider, history).when(command).thenThrows('not_found'));
  }
});
