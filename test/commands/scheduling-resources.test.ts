import t from 'tap';
import { placeDecider } from '../../src/commands/scheduling/place.js';
import { specialistDecider, type SpecialistCommand } from '../../src/commands/scheduling/specialist.js';
import type { PlaceEvent } from '../../src/events/scheduling/place.js';
import { DEFAULT_POLICY, type SpecialistEvent, type WorkingHours } from '../../src/events/scheduling/specialist.js';
import type { HeldTime } from '../../src/commands/scheduling/conflicts.js';
import { freeSlots } from '../../src/commands/scheduling/free-slots.js';
import { expandWorkingHours } from '../../src/commands/scheduling/working-hours.js';
import { formatInstant } from '../../src/commands/scheduling/zoned-time.js';
import { specification } from './spec.js';

const org = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const placeId = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const specialistId = '7c1d2e3f-4a5b-4c6d-9e8f-0a1b2c3d4e5f';
const now = '2026-01-01T00:00:00.000Z';

const placeCreated: PlaceEvent = { type: 'PlaceCreated', data: { placeId, organizationId: org, name: 'Room 1', address: '', description: '', createdAt: now } };

t.test('places: created once, changed where they differ, removed once', async (t) => {
  const given = specification(t);
  given(placeDecider, []).when({ type: 'CreatePlace', data: { placeId, organizationId: org, details: { name: 'Room 1', address: '', description: '' }, now } }).then([placeCreated]);
  given(placeDecider, [placeCreated]).when({ type: 'CreatePlace', data: { placeId, organizationId: org, details: { name: 'Room 1', address: '', description: '' }, now } }).thenThrows('conflict');
  given(placeDecider, [placeCreated]).when({ type: 'UpdatePlace', data: { changes: { name: 'Room 1', address: 'Floor 2' }, now } }).then([{ type: 'PlaceUpdated', data: { placeId, organizationId: org, changes: { address: 'Floor 2' }, updatedAt: now } }]);
  const removed: PlaceEvent = { type: 'PlaceRemoved', data: { placeId, organizationId: org, removedAt: now } };
  given(placeDecider, [placeCreated]).when({ type: 'RemovePlace', data: { now } }).then([removed]);
  given(placeDecider, [placeCreated, removed]).when({ type: 'RemovePlace', data: { now } }).thenThrows('not_found');
  given(placeDecider, [placeCreated, removed]).when({ type: 'UpdatePlace', data: { changes: { name: 'x' }, now } }).thenThrows('not_found');
});

const specialistCreated: SpecialistEvent = { type: 'SpecialistCreated', data: { specialistId, organizationId: org, name: 'Dr Ivanova', specialty: 'therapist', phone: null, userId: null, createdAt: now } };
const hours = (overrides: Partial<WorkingHours> = {}): WorkingHours => ({
  timeZone: 'Europe/Berlin',
  weekly: [
    { weekday: 1, start: '09:00', end: '13:00', placeId },
    { weekday: 1, start: '14:00', end: '18:00', placeId },
  ],
  exceptions: [],
  policy: DEFAULT_POLICY,
  ...overrides,
});
const setHours = (h: WorkingHours, closedPlaces: string[] = []): SpecialistCommand => ({ type: 'SetWorkingHours', data: { hours: h, closedPlaces, now } });

t.test('specialists: hours are set as a whole, checked, and only when they change', async (t) => {
  const given = specification(t);
  const set: SpecialistEvent = { type: 'WorkingHoursSet', data: { specialistId, organizationId: org, hours: hours(), setAt: now } };
  given(specialistDecider, [specialistCreated]).when(setHours(hours())).then([set]);
  given(specialistDecider, [specialistCreated, set]).when(setHours(hours())).then([]);
  given(specialistDecider, [specialistCreated]).when(setHours(hours({ timeZone: 'Mars/Olympus' }))).thenThrows('invalid');
  given(specialistDecider, [specialistCreated]).when(setHours(hours(), [placeId])).thenThrows('invalid');
  given(specialistDecider, [specialistCreated]).when(setHours(hours({ weekly: [{ weekday: 1, start: '09:00', end: '13:00', placeId: null }, { weekday: 1, start: '12:00', end: '15:00', placeId: null }] }))).thenThrows('invalid');
  // Sunday's night shift runs into Monday morning.
  given(specialistDecider, [specialistCreated]).when(setHours(hours({ weekly: [{ weekday: 7, start: '22:00', end: '10:00', placeId: null }, { weekday: 1, start: '09:00', end: '12:00', placeId: null }] }))).thenThrows('invalid');
  given(specialistDecider, [specialistCreated]).when(setHours(hours({ weekly: [{ weekday: 2, start: '10:00', end: '10:00', placeId: null }] }))).thenThrows('invalid');
  given(specialistDecider, [specialistCreated]).when(setHours(hours({ exceptions: [{ date: '2026-05-01', intervals: [] }, { date: '2026-05-01', intervals: [] }] }))).thenThrows('invalid');
  given(specialistDecider, []).when(setHours(hours())).thenThrows('not_found');
  const removed: SpecialistEvent = { type: 'SpecialistRemoved', data: { specialistId, organizationId: org, removedAt: now } };
  given(specialistDecider, [specialistCreated]).when({ type: 'RemoveSpecialist', data: { now } }).then([removed]);
  given(specialistDecider, [specialistCreated, removed]).when(setHours(hours())).thenThrows('not_found');
  given(specialistDecider, [specialistCreated]).when({ type: 'UpdateSpecialist', data: { changes: { name: 'Dr Ivanova', specialty: 'surgeon' }, now } })
    .then([{ type: 'SpecialistUpdated', data: { specialistId, organizationId: org, changes: { specialty: 'surgeon' }, updatedAt: now } }]);
});

const local = (instants: number[], tz = 'Europe/Berlin') => instants.map((i) => formatInstant(i, tz));

t.test('hours expand per date through the zone, right on daylight-saving days', async (t) => {
  const night = hours({ weekly: [{ weekday: 7, start: '01:00', end: '05:00', placeId: null }] });
  const spring = expandWorkingHours(night, '2026-03-29', '2026-03-29');
  t.same(local([spring[0]!.start, spring[0]!.end]), ['2026-03-29T01:00:00+01:00', '2026-03-29T05:00:00+02:00']);
  t.equal((spring[0]!.end - spring[0]!.start) / 3_600_000, 3, 'three hours when the clocks spring forward');
  const autumn = expandWorkingHours(night, '2026-10-25', '2026-10-25');
  t.equal((autumn[0]!.end - autumn[0]!.start) / 3_600_000, 5, 'five when they fall back');
  const day = expandWorkingHours(hours({ weekly: [{ weekday: 7, start: '09:00', end: '18:00', placeId: null }] }), '2026-03-29', '2026-03-29');
  t.same(local([day[0]!.start, day[0]!.end]), ['2026-03-29T09:00:00+02:00', '2026-03-29T18:00:00+02:00']);
});

t.test('hours across midnight end the next day; an exception replaces a date; touching intervals merge', async (t) => {
  const shift = hours({ weekly: [{ weekday: 5, start: '22:00', end: '06:00', placeId }, { weekday: 6, start: '06:00', end: '08:00', placeId }] });
  const expanded = expandWorkingHours(shift, '2026-06-12', '2026-06-13');
  t.same(local([expanded[0]!.start, expanded[0]!.end]), ['2026-06-12T22:00:00+02:00', '2026-06-13T08:00:00+02:00'], 'Friday night runs into Saturday morning');
  t.equal(expanded.length, 1);
  const off = hours({ exceptions: [{ date: '2026-06-15', intervals: [] }, { date: '2026-06-22', intervals: [{ start: '10:00', end: '12:00', placeId: null }] }] });
  t.same(expandWorkingHours(off, '2026-06-15', '2026-06-15'), [], 'a day off');
  t.same(local(expandWorkingHours(off, '2026-06-22', '2026-06-22').flatMap((w) => [w.start, w.end])), ['2026-06-22T10:00:00+02:00', '2026-06-22T12:00:00+02:00'], 'special hours');
  t.equal(expandWorkingHours(off, '2026-06-29', '2026-06-29').length, 2, 'a break splits the day in two');
});

t.test('free slots: stepped, inside hours, clear of appointments and buffers, after notice and before the horizon', async (t) => {
  const h = hours({ weekly: [{ weekday: 1, start: '09:00', end: '11:00', placeId }], policy: { stepMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 15, minNoticeMinutes: 60, horizonDays: 30 } });
  const working = expandWorkingHours(h, '2026-06-14', '2026-06-15');
  const base = { specialistId, timeZone: h.timeZone, dates: ['2026-06-15'], durationMinutes: 30, policy: h.policy, working, held: [] as HeldTime[], closedPlaces: new Set<string>(), now: Date.parse('2026-06-01T00:00:00Z') };
  const starts = (search: typeof base) => local(freeSlots(search).map((s) => s.start)).map((s) => s.slice(11, 16));
  t.same(starts(base), ['09:00', '09:30', '10:00', '10:30']);
  const held = [{ appointmentId: 'a', specialistId, placeId, clientId: 'c', start: Date.parse('2026-06-15T07:30:00Z'), end: Date.parse('2026-06-15T08:00:00Z'), bufferBeforeMinutes: 0, bufferAfterMinutes: 15 }];
  t.same(starts({ ...base, held }), ['10:30'], '09:30 is taken; 09:00 would leave no buffer before it, 10:00 falls in its buffer after');
  t.same(starts({ ...base, held: [{ ...held[0]!, specialistId: 'someone else' }] }), ['09:00', '10:00', '10:30'], 'another specialist in the room only takes the room');
  t.same(starts({ ...base, now: Date.parse('2026-06-15T07:15:00Z') }), ['10:30'], 'minimum notice');
  t.same(starts({ ...base, now: Date.parse('2026-05-01T00:00:00Z') }), [], 'beyond the horizon');
  t.same(starts({ ...base, closedPlaces: new Set([placeId]) }), [], 'a removed place offers nothing');
  t.same(starts({ ...base, durationMinutes: 120 }), ['09:00'], 'the whole duration inside the hours');
});
