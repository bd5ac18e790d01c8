import t from 'tap';
import { fold } from '../../../src/commands/decider.js';
import { DomainError } from '../../../src/commands/errors.js';
import { specialistDecider, type SpecialistCommand } from '../../../src/commands/scheduling/specialist.js';
import { DEFAULT_POLICY, type SpecialistChanges, type SpecialistDetails, type SpecialistEvent, type WorkingHours } from '../../../src/events/scheduling/specialist.js';
import { specification } from '../spec.js';

// Every command of a specialist's stream (`specialist-{id}`), given/when/then.

const specialistId = '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const userId = '0b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const placeId = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:01:00.000Z';
const t2 = '2026-01-01T00:02:00.000Z';
const details: SpecialistDetails = { name: 'Dr Ivanova', specialty: 'therapist', phone: null, userId: null };
const hours = (overrides: Partial<WorkingHours> = {}): WorkingHours => ({
  timeZone: 'Europe/Berlin',
  weekly: [
    { weekday: 1, start: '09:00', end: '13:00', placeId },
    { weekday: 1, start: '14:00', end: '18:00', placeId: null },
  ],
  exceptions: [{ date: '2026-05-01', intervals: [] }],
  policy: DEFAULT_POLICY,
  ...overrides,
});

const created = (at = t0): SpecialistEvent => ({ type: 'SpecialistCreated', data: { specialistId, organizationId, ...details, createdAt: at } });
const removed = (at = t1): SpecialistEvent => ({ type: 'SpecialistRemoved', data: { specialistId, organizationId, removedAt: at } });
const hoursSet = (h: WorkingHours, at = t1): SpecialistEvent => ({ type: 'WorkingHoursSet', data: { specialistId, organizationId, hours: h, setAt: at } });

const create = (withDetails: SpecialistDetails = details): SpecialistCommand => ({ type: 'CreateSpecialist', data: { specialistId, organizationId, details: withDetails, now: t2 } });
const update = (changes: SpecialistChanges): SpecialistCommand => ({ type: 'UpdateSpecialist', data: { changes, now: t2 } });
const remove: SpecialistCommand = { type: 'RemoveSpecialist', data: { now: t2 } };
const setHours = (h: WorkingHours, closedPlaces: string[] = []): SpecialistCommand => ({ type: 'SetWorkingHours', data: { hours: h, closedPlaces, now: t2 } });

/** The fields an `invalid` names: which rule refused the hours, not only that one did. */
function problems(history: readonly SpecialistEvent[], command: SpecialistCommand): string[] | string {
  try {
    specialistDecider.decide(command, fold(specialistDecider, history));
    return 'decided events';
  } catch (error) {
    return error instanceof DomainError ? Object.keys(error.fields ?? {}) : String(error);
  }
}

t.test('CreateSpecialist', async (t) => {
  t.test('a specialist is created for its organization with the id and time the command brings', async (t) => {
    specification(t)(specialistDecider, []).when(create()).then([created(t2)]);
  });
  t.test('only the details the event names are recorded', async (t) => {
    specification(t)(specialistDecider, []).when(create({ ...details, salary: 1 } as SpecialistDetails)).then([created(t2)]);
  });
  t.test('an existing specialist cannot be created again, removed or not: conflict', async (t) => {
    specification(t)(specialistDecider, [created()]).when(create()).thenThrows('conflict');
    specification(t)(specialistDecider, [created(), removed()]).when(create()).thenThrows('conflict');
  });
});

t.test('UpdateSpecialist', async (t) => {
  t.test('only the details that differ are recorded', async (t) => {
    specification(t)(specialistDecider, [created()])
      .when(update({ name: 'Dr Ivanova', specialty: 'surgeon', userId }))
      .then([{ type: 'SpecialistUpdated', data: { specialistId, organizationId, changes: { specialty: 'surgeon', userId }, updatedAt: t2 } }]);
  });
  t.test('a change to nothing new is no event', async (t) => {
    specification(t)(specialistDecider, [created()]).when(update({ name: 'Dr Ivanova', phone: null })).then([]);
  });
  t.test('a removed specialist cannot be updated: not_found', async (t) => {
    specification(t)(specialistDecider, [created(), removed()]).when(update({ specialty: 'surgeon' })).thenThrows('not_found');
  });
  t.test('an unknown specialist cannot be updated: not_found', async (t) => {
    specification(t)(specialistDecider, []).when(update({ specialty: 'surgeon' })).thenThrows('not_found');
  });
});

t.test('RemoveSpecialist', async (t) => {
  t.test('an active specialist is removed', async (t) => {
    specification(t)(specialistDecider, [created()]).when(remove).then([removed(t2)]);
  });
  t.test('a removed specialist cannot be removed again: not_found', async (t) => {
    specification(t)(specialistDecider, [created(), removed()]).when(remove).thenThrows('not_found');
  });
  t.test('an unknown specialist cannot be removed: not_found', async (t) => {
    specification(t)(specialistDecider, []).when(remove).thenThrows('not_found');
  });
});

t.test('SetWorkingHours', async (t) => {
  t.test('hours are set as a whole document', async (t) => {
    specification(t)(specialistDecider, [created()]).when(setHours(hours())).then([hoursSet(hours(), t2)]);
  });
  t.test('new hours replace the old ones', async (t) => {
    const later = hours({ timeZone: 'Europe/Moscow' });
    specification(t)(specialistDecider, [created(), hoursSet(hours())]).when(setHours(later)).then([hoursSet(later, t2)]);
  });
  t.test('the same hours again are no event', async (t) => {
    specification(t)(specialistDecider, [created(), hoursSet(hours())]).when(setHours(hours())).then([]);
  });

  // Each refusal names the field at fault, in the API's names.
  const refusals: [string, WorkingHours, string[], string[]][] = [
    ['an unknown time zone', hours({ timeZone: 'Mars/Olympus' }), [], ['time_zone']],
    ['a weekly interval at a place that is not open', hours(), [placeId], ['weekly.0.place_id']],
    [
      'an exception at a place that is not open',
      hours({ weekly: [{ weekday: 1, start: '09:00', end: '13:00', placeId: null }], exceptions: [{ date: '2026-05-04', intervals: [{ start: '10:00', end: '12:00', placeId }] }] }),
      [placeId],
      ['exceptions.0.intervals.0.place_id'],
    ],
    ['overlapping weekly intervals', hours({ weekly: [{ weekday: 1, start: '09:00', end: '13:00', placeId: null }, { weekday: 1, start: '12:00', end: '15:00', placeId: null }] }), [], ['weekly.1']],
    // Sunday's night shift runs into Monday morning.
    ['a Sunday night shift meeting Monday morning', hours({ weekly: [{ weekday: 7, start: '22:00', end: '10:00', placeId: null }, { weekday: 1, start: '09:00', end: '12:00', placeId: null }] }), [], ['weekly.1']],
    ['a weekly interval that starts where it ends', hours({ weekly: [{ weekday: 2, start: '10:00', end: '10:00', placeId: null }] }), [], ['weekly.0']],
    ['two exceptions for one date', hours({ exceptions: [{ date: '2026-05-01', intervals: [] }, { date: '2026-05-01', intervals: [] }] }), [], ['exceptions.1.date']],
    ['an exception with a malformed date', hours({ exceptions: [{ date: '01.05.2026', intervals: [] }] }), [], ['exceptions.0.date']],
    ['overlapping intervals of one exception', hours({ exceptions: [{ date: '2026-05-04', intervals: [{ start: '09:00', end: '12:00', placeId: null }, { start: '11:00', end: '13:00', placeId: null }] }] }), [], ['exceptions.0.intervals.1']],
    ['an exception interval that starts where it ends', hours({ exceptions: [{ date: '2026-05-04', intervals: [{ start: '09:00', end: '09:00', placeId: null }] }] }), [], ['exceptions.0.intervals.0']],
  ];
  for (const [what, refused, closedPlaces, fields] of refusals) {
    t.test(`hours with ${what} are refused: invalid`, async (t) => {
      specification(t)(specialistDecider, [created()]).when(setHours(refused, closedPlaces)).thenThrows('invalid');
      t.strictSame(problems([created()], setHours(refused, closedPlaces)), fields, 'the fields at fault');
    });
  }

  t.test('hours are checked even when they are the ones already set: invalid', async (t) => {
    specification(t)(specialistDecider, [created(), hoursSet(hours())]).when(setHours(hours(), [placeId])).thenThrows('invalid');
  });
  t.test('a removed specialist has no hours to set: not_found', async (t) => {
    specification(t)(specialistDecider, [created(), removed()]).when(setHours(hours())).thenThrows('not_found');
  });
  t.test('an unknown specialist has no hours to set: not_found', async (t) => {
    specification(t)(specialistDecider, []).when(setHours(hours())).thenThrows('not_found');
  });
});
