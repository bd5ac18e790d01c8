import t from 'tap';
import { eventCatalogue } from '../../src/compose.js';
import { catalogueOf } from '../../src/events/catalogue.js';
import { organizationEvents } from '../../src/events/organizations/index.js';
import { appointmentEventTypes } from '../../src/events/scheduling/appointment.js';
import { clientRecordEventTypes } from '../../src/events/clients/client-record.js';
import { organizationEventTypes } from '../../src/events/organizations/organization.js';
import { placeEventTypes } from '../../src/events/scheduling/place.js';
import { scheduleEventTypes } from '../../src/events/scheduling/schedule.js';
import { specialistEventTypes } from '../../src/events/scheduling/specialist.js';
import { userEventTypes } from '../../src/events/identity/user.js';

const metadata = { actor: { kind: 'system' }, correlationId: 'c', causationId: 'c' };

t.test('every event type the domain lists has a schema', async (t) => {
  const listed = [...appointmentEventTypes, ...clientRecordEventTypes, ...organizationEventTypes, ...placeEventTypes, ...scheduleEventTypes, ...specialistEventTypes, ...userEventTypes];
  for (const type of listed) t.ok(eventCatalogue.writableTypes.has(type), type);
});

t.test('objects are closed at every depth, records keep their free keys', async (t) => {
  const created = { organizationId: 'o', name: 'n', description: '', address: '', numbers: { main: '+7' }, links: { vk: 'vk.com/x' }, creatorId: 'u', createdAt: 'now' };
  t.equal(eventCatalogue.failure({ type: 'OrganizationCreated', data: created, metadata }), undefined, 'labels are data');
  t.match(eventCatalogue.failure({ type: 'OrganizationCreated', data: { ...created, plan: 'gold' }, metadata }), /^data \/plan/);
  t.match(eventCatalogue.failure({ type: 'OrganizationUpdated', data: { organizationId: 'o', changes: { name: 'x', owner: 'me' }, updatedAt: 'now' }, metadata }), /^data \/changes\/owner/);
  t.match(eventCatalogue.failure({ type: 'OrganizationUpdated', data: { organizationId: 'o', changes: { numbers: { main: 7 } }, updatedAt: 'now' }, metadata }), /^data \/changes\/numbers\/main/);
  const hours = { timeZone: 'UTC', weekly: [{ weekday: 1, start: '09:00', end: '18:00', placeId: null, extra: true }], exceptions: [], policy: { stepMinutes: 15, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, minNoticeMinutes: 0, horizonDays: 30 } };
  t.match(eventCatalogue.failure({ type: 'WorkingHoursSet', data: { specialistId: 's', organizationId: 'o', hours, setAt: 'now' }, metadata }), /^data \/hours\/weekly\/0\/extra/);
});

t.test('an event type belongs to one capability: declaring it twice is refused at start', async (t) => {
  t.throws(() => catalogueOf([organizationEvents, { schemas: { OrganizationCreated: organizationEvents.schemas.OrganizationCreated! } }]), /OrganizationCreated has two schemas/);
});

t.test('a type no capability declares cannot be appended', async (t) => {
  t.equal(eventCatalogue.failure({ type: 'ClientJoinedOrganization', data: {}, metadata }), 'unknown event type', 'a legacy type is read, never written');
});
