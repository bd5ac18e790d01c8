import t from 'tap';
import { placeDecider, type PlaceCommand } from '../../../src/commands/scheduling/place.js';
import type { PlaceChanges, PlaceDetails, PlaceEvent } from '../../../src/events/scheduling/place.js';
import { specification } from '../spec.js';

// Every command of a place's stream (`place-{id}`), given/when/then.

const placeId = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const otherOrganizationId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:01:00.000Z';
const t2 = '2026-01-01T00:02:00.000Z';
const details: PlaceDetails = { name: 'Room 1', address: 'Floor 1', description: '' };

const created = (at = t0): PlaceEvent => ({ type: 'PlaceCreated', data: { placeId, organizationId, ...details, createdAt: at } });
const removed = (at = t1): PlaceEvent => ({ type: 'PlaceRemoved', data: { placeId, organizationId, removedAt: at } });

const create = (withDetails: PlaceDetails = details, organization = organizationId): PlaceCommand => ({
  type: 'CreatePlace',
  data: { placeId, organizationId: organization, details: withDetails, now: t2 },
});
const update = (changes: PlaceChanges): PlaceCommand => ({ type: 'UpdatePlace', data: { changes, now: t2 } });
const remove: PlaceCommand = { type: 'RemovePlace', data: { now: t2 } };

t.test('CreatePlace', async (t) => {
  t.test('a place is created for its organization with the id and time the command brings', async (t) => {
    specification(t)(placeDecider, []).when(create()).then([created(t2)]);
  });
  t.test('only the details the event names are recorded', async (t) => {
    specification(t)(placeDecider, []).when(create({ ...details, capacity: 3 } as PlaceDetails)).then([created(t2)]);
  });
  t.test('an existing place cannot be created again, for any organization: conflict', async (t) => {
    specification(t)(placeDecider, [created()]).when(create()).thenThrows('conflict');
    specification(t)(placeDecider, [created()]).when(create(details, otherOrganizationId)).thenThrows('conflict');
  });
  t.test('a removed place is not created anew: conflict', async (t) => {
    specification(t)(placeDecider, [created(), removed()]).when(create()).thenThrows('conflict');
  });
});

t.test('UpdatePlace', async (t) => {
  t.test('only the details that differ are recorded', async (t) => {
    specification(t)(placeDecider, [created()])
      .when(update({ name: 'Room 1', address: 'Floor 2' }))
      .then([{ type: 'PlaceUpdated', data: { placeId, organizationId, changes: { address: 'Floor 2' }, updatedAt: t2 } }]);
  });
  t.test('a change to nothing new is no event', async (t) => {
    specification(t)(placeDecider, [created()]).when(update({ name: 'Room 1', description: '' })).then([]);
  });
  t.test('a removed place cannot be updated: not_found', async (t) => {
    specification(t)(placeDecider, [created(), removed()]).when(update({ name: 'Room 2' })).thenThrows('not_found');
  });
  t.test('an unknown place cannot be updated: not_found', async (t) => {
    specification(t)(placeDecider, []).when(update({ name: 'Room 2' })).thenThrows('not_found');
  });
});

t.test('RemovePlace', async (t) => {
  t.test('an active place is removed', async (t) => {
    specification(t)(placeDecider, [created()]).when(remove).then([removed(t2)]);
  });
  t.test('a removed place cannot be removed again: not_found', async (t) => {
    specification(t)(placeDecider, [created(), removed()]).when(remove).thenThrows('not_found');
  });
  t.test('an unknown place cannot be removed: not_found', async (t) => {
    specification(t)(placeDecider, []).when(remove).thenThrows('not_found');
  });
});
