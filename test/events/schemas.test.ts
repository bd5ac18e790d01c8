import t from 'tap';
import { appointmentEventTypes } from '../../src/events/scheduling/appointment.js';
import { clientRecordEventTypes } from '../../src/events/clients/client-record.js';
import { organizationEventTypes } from '../../src/events/organizations/organization.js';
import { placeEventTypes } from '../../src/events/scheduling/place.js';
import { scheduleEventTypes } from '../../src/events/scheduling/schedule.js';
import { eventSchemaFailure, writableEventTypes } from '../../src/events/schemas.js';
import { specialistEventTypes } from '../../src/events/scheduling/specialist.js';
import { userEventTypes } from '../../src/events/identity/user.js';

const metadata = { actor: { kind: 'system' }, correlationId: 'c', causationId: 'c' };

t.test('every event type the domain lists has a schema', async (t) => {
  const listed = [...appointmentEventTypes, ...clientRecordEventTypes, ...organizationEventTypes, ...placeEventTypes, ...scheduleEventTypes, ...specialistEventTypes, ...userEventTypes];
  for (const type of listed) t.ok(writableEventTypes.has(type), type);
});

t.test('objects are closed at every depth, records keep their free keys', async (t) => {
  const created = { organizationId: 'o', name: 'n', description: '', address: '', numbers: { main: '+7' }, links: { vk: 'vk.com/x' }, creatorId: 'u', createdAt: 'now' };
  t.equal(eventSchemaFailure({ type: 'OrganizationCreated', data: created, metadata }), undefined, 'labels are data');
  t.match(eventSchemaFailure({ type: 'OrganizationCreated', data: { ...created, plan: 'gold' }, metadata }), /^data \/plan/);
  t.match(eventSchemaFailure({ type: 'OrganizationUpdated', data: { organizationId: 'o', changes: { name: 'x', owner: 'me' }, updatedAt: 'now' }, metadata }), /^data \/changes\/owner/);
  t.match(eventSchemaFailure({ type: 'OrganizationUpdated', data: { organizationId: 'o', changes: { numbers: { main: 7 } }, updatedAt: 'now' }, metadata }), /^data \/changes\/numbers\/main/);
  const hours = { timeZone: 'UTC', weekly: [{ weekday: 1, start: '09:00', end: '18:00', placeId: null, extra: true }], exceptions: [], policy: { stepMinutes: 15, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, minNoticeMinutes: 0, horizonDays: 30 } };
  t.match(eventSchemaFailure({ type: 'WorkingHoursSet', data: { specialistId: 's', organizationId: 'o', hours, setAt: 'now' }, metadata }), /^data \/hours\/weekly\/0\/extra/);
});
