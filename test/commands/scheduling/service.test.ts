import t from 'tap';
import { serviceDecider, type ServiceCommand } from '../../../src/commands/scheduling/service.js';
import type { ServiceChanges, ServiceDetails, ServiceEvent } from '../../../src/events/scheduling/service.js';
import { specification } from '../spec.js';

// Every command of a service's stream (`service-{id}`), given/when/then.

const serviceId = '5e0c7a1b-3d2f-4e6a-9b8c-7d6e5f4a3b21';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const otherOrganizationId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const doctor = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
const nurse = '3b4c5d6e-7f8a-4b9c-8d1e-2f3a4b5c6d7e';
const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:01:00.000Z';
const t2 = '2026-01-01T00:02:00.000Z';
const details: ServiceDetails = {
  name: 'Massage',
  durationMinutes: 60,
  price: { amount: 300000, currency: 'RUB' },
  specialistIds: [doctor],
  capacity: 1,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 10,
};

const created = (at = t0): ServiceEvent => ({ type: 'ServiceCreated', data: { serviceId, organizationId, ...details, createdAt: at } });
const updated = (changes: ServiceChanges, at = t1): ServiceEvent => ({ type: 'ServiceUpdated', data: { serviceId, organizationId, changes, updatedAt: at } });
const removed = (at = t1): ServiceEvent => ({ type: 'ServiceRemoved', data: { serviceId, organizationId, removedAt: at } });

const create = (withDetails: ServiceDetails = details, organization = organizationId): ServiceCommand => ({
  type: 'CreateService',
  data: { serviceId, organizationId: organization, details: withDetails, now: t2 },
});
const update = (changes: ServiceChanges): ServiceCommand => ({ type: 'UpdateService', data: { changes, now: t2 } });
const remove: ServiceCommand = { type: 'RemoveService', data: { now: t2 } };

t.test('CreateService', async (t) => {
  t.test('a service is created for its organization with the id and time the command brings', async (t) => {
    specification(t)(serviceDecider, []).when(create()).then([created(t2)]);
  });
  t.test('a group session keeps its capacity and buffers', async (t) => {
    const group = { ...details, name: 'Yoga', capacity: 12, bufferBeforeMinutes: 15, bufferAfterMinutes: 15 };
    specification(t)(serviceDecider, []).when(create(group)).then([{ type: 'ServiceCreated', data: { serviceId, organizationId, ...group, createdAt: t2 } }]);
  });
  t.test('only the details the event names are recorded', async (t) => {
    specification(t)(serviceDecider, []).when(create({ ...details, discount: 50 } as ServiceDetails)).then([created(t2)]);
  });
  t.test('creating a service twice is a conflict, for any organization', async (t) => {
    specification(t)(serviceDecider, [created()]).when(create()).thenThrows('conflict');
    specification(t)(serviceDecider, [created()]).when(create(details, otherOrganizationId)).thenThrows('conflict');
  });
  t.test('a removed service is not created anew: conflict', async (t) => {
    specification(t)(serviceDecider, [created(), removed()]).when(create()).thenThrows('conflict');
  });
});

t.test('UpdateService', async (t) => {
  t.test('only the details that differ are recorded', async (t) => {
    specification(t)(serviceDecider, [created()])
      .when(update({ name: 'Massage', durationMinutes: 90, price: { amount: 300000, currency: 'RUB' }, specialistIds: [doctor, nurse] }))
      .then([{ type: 'ServiceUpdated', data: { serviceId, organizationId, changes: { durationMinutes: 90, specialistIds: [doctor, nurse] }, updatedAt: t2 } }]);
  });
  t.test('a new price is recorded whole', async (t) => {
    specification(t)(serviceDecider, [created()])
      .when(update({ price: { amount: 350000, currency: 'RUB' } }))
      .then([{ type: 'ServiceUpdated', data: { serviceId, organizationId, changes: { price: { amount: 350000, currency: 'RUB' } }, updatedAt: t2 } }]);
  });
  t.test('an update is folded: the next one decides against it', async (t) => {
    specification(t)(serviceDecider, [created(), updated({ capacity: 8 })]).when(update({ capacity: 8, bufferAfterMinutes: 10 })).then([]);
  });
  t.test('a change to nothing new is no event', async (t) => {
    specification(t)(serviceDecider, [created()]).when(update({ name: 'Massage', capacity: 1, specialistIds: [doctor] })).then([]);
    specification(t)(serviceDecider, [created()]).when(update({})).then([]);
  });
  t.test('a removed service reads as not found', async (t) => {
    specification(t)(serviceDecider, [created(), removed()]).when(update({ name: 'Deep massage' })).thenThrows('not_found');
  });
  t.test('an unknown service cannot be updated: not_found', async (t) => {
    specification(t)(serviceDecider, []).when(update({ name: 'Deep massage' })).thenThrows('not_found');
  });
});

t.test('RemoveService', async (t) => {
  t.test('an active service is removed', async (t) => {
    specification(t)(serviceDecider, [created()]).when(remove).then([removed(t2)]);
  });
  t.test('an updated service is removed too', async (t) => {
    specification(t)(serviceDecider, [created(), updated({ name: 'Deep massage' })]).when(remove).then([removed(t2)]);
  });
  t.test('a removed service reads as not found: it cannot be removed again', async (t) => {
    specification(t)(serviceDecider, [created(), removed()]).when(remove).thenThrows('not_found');
  });
  t.test('an unknown service cannot be removed: not_found', async (t) => {
    specification(t)(serviceDecider, []).when(remove).thenThrows('not_found');
  });
});
