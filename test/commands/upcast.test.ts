import t from 'tap';
import { toDomainEvent } from '../../src/events/catalogue.js';
import type { StoredEvent } from '../../src/store/port.js';

const v1: StoredEvent = {
  id: '5f0c6b7e-8d3c-4a49-9a51-0d6f4f9c1a10',
  stream: 'client-1',
  version: 0,
  position: { commit: 1n, prepare: 1n },
  type: 'ClientRegistered',
  data: {
    clientId: 'c1',
    phone: '+79517586284',
    profile: { firstName: 'A', lastName: '', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: '' },
    passwordSet: false,
    registeredAt: '2026-01-01T00:00:00.000Z',
  },
  metadata: { actor: { kind: 'system' }, correlationId: 'x', causationId: 'x' },
  createdAt: new Date('2026-01-01T00:00:00Z'),
};

t.test('a version 1 ClientRegistered is read as version 2 (links added), the stored event untouched', async (t) => {
  const event = toDomainEvent(v1);
  t.match(event.data, { schemaVersion: 2, profile: { firstName: 'A', links: {} } });
  t.notOk('links' in (v1.data as { profile: object }).profile, 'upcasting does not change the stored event');
  const v2 = { ...v1, data: { ...(v1.data as object), schemaVersion: 2, profile: { ...(v1.data as { profile: object }).profile, links: { vk: 'x' } } } };
  t.same((toDomainEvent(v2).data as { profile: { links: object } }).profile.links, { vk: 'x' }, 'a current event passes unchanged');
});
