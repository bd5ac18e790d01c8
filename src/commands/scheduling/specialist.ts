import { SpecialistDetails, type SpecialistChanges, type SpecialistEvent, type WorkingHours } from '../../events/scheduling/specialist.js';
import { workingHoursProblems } from './working-hours.js';
import { isValidTimeZone } from './zoned-time.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { changedFields, fieldsOf, pick } from '../fields.js';

const DETAILS = fieldsOf(SpecialistDetails);

export interface ActiveSpecialist {
  readonly status: 'active' | 'removed';
  readonly specialistId: string;
  readonly organizationId: string;
  readonly details: SpecialistDetails;
  /** Undefined until hours are set: no slots, no bookings. */
  readonly hours: WorkingHours | undefined;
}

export type SpecialistState = { readonly status: 'none' } | ActiveSpecialist;

export type SpecialistCommand =
  | { type: 'CreateSpecialist'; data: { specialistId: string; organizationId: string; details: SpecialistDetails; now: string } }
  | { type: 'UpdateSpecialist'; data: { changes: SpecialistChanges; now: string } }
  | { type: 'RemoveSpecialist'; data: { now: string } }
  /** `closedPlaces`: places named by the hours that are not the organization's active places (the handler looked). */
  | { type: 'SetWorkingHours'; data: { hours: WorkingHours; closedPlaces: readonly string[]; now: string } };

export function activeSpecialist(state: SpecialistState): ActiveSpecialist {
  if (state.status !== 'active') throw new DomainError('not_found', 'Not found.');
  return state;
}

function checkHours(hours: WorkingHours, closedPlaces: readonly string[]): void {
  const problems = workingHoursProblems(hours);
  if (!isValidTimeZone(hours.timeZone)) problems.time_zone = ['Unknown time zone; use an IANA name such as Europe/Moscow.'];
  hours.weekly.forEach((w, i) => {
    if (w.placeId !== null && closedPlaces.includes(w.placeId)) (problems[`weekly.${i}.place_id`] ??= []).push('No place of this organization with this id.');
  });
  hours.exceptions.forEach((e, i) =>
    e.intervals.forEach((interval, k) => {
      if (interval.placeId !== null && closedPlaces.includes(interval.placeId)) (problems[`exceptions.${i}.intervals.${k}.place_id`] ??= []).push('No place of this organization with this id.');
    }),
  );
  if (Object.keys(problems).length > 0) throw new DomainError('invalid', 'Invalid input.', problems);
}

function decide(command: SpecialistCommand, state: SpecialistState): SpecialistEvent[] {
  switch (command.type) {
    case 'CreateSpecialist': {
      if (state.status !== 'none') throw conflict('This specialist already exists.');
      const { specialistId, organizationId, details, now } = command.data;
      return [{ type: 'SpecialistCreated', data: { specialistId, organizationId, ...pick(details, DETAILS), createdAt: now } }];
    }
    case 'UpdateSpecialist': {
      const specialist = activeSpecialist(state);
      const changes = changedFields<SpecialistChanges>(DETAILS, specialist.details, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{
        type: 'SpecialistUpdated',
        data: { specialistId: specialist.specialistId, organizationId: specialist.organizationId, changes, updatedAt: command.data.now },
      }];
    }
    case 'RemoveSpecialist': {
      const specialist = activeSpecialist(state);
      return [{
        type: 'SpecialistRemoved',
        data: { specialistId: specialist.specialistId, organizationId: specialist.organizationId, removedAt: command.data.now },
      }];
    }
    case 'SetWorkingHours': {
      const specialist = activeSpecialist(state);
      const { hours, closedPlaces, now } = command.data;
      checkHours(hours, closedPlaces);
      if (JSON.stringify(hours) === JSON.stringify(specialist.hours)) return [];
      return [{ type: 'WorkingHoursSet', data: { specialistId: specialist.specialistId, organizationId: specialist.organizationId, hours, setAt: now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: SpecialistState, event: SpecialistEvent): SpecialistState {
  switch (event.type) {
    case 'SpecialistCreated': {
      const { specialistId, organizationId, name, specialty, phone, userId } = event.data;
      return { status: 'active', specialistId, organizationId, details: { name, specialty, phone, userId }, hours: undefined };
    }
    case 'SpecialistUpdated':
      return state.status === 'none' ? state : { ...state, details: { ...state.details, ...event.data.changes } };
    case 'SpecialistRemoved':
      return state.status === 'none' ? state : { ...state, status: 'removed' };
    case 'WorkingHoursSet':
      return state.status === 'none' ? state : { ...state, hours: event.data.hours };
    default:
      return state;
  }
}

export const specialistDecider: Decider<SpecialistState, SpecialistCommand, SpecialistEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
