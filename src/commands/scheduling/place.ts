import { PlaceDetails, type PlaceChanges, type PlaceEvent } from '../../events/scheduling/place.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { changedFields, fieldsOf, pick } from '../fields.js';

const DETAILS = fieldsOf(PlaceDetails);

export type PlaceState =
  | { readonly status: 'none' }
  | { readonly status: 'active' | 'removed'; readonly placeId: string; readonly organizationId: string; readonly details: PlaceDetails };

export type PlaceCommand =
  | { type: 'CreatePlace'; data: { placeId: string; organizationId: string; details: PlaceDetails; now: string } }
  | { type: 'UpdatePlace'; data: { changes: PlaceChanges; now: string } }
  | { type: 'RemovePlace'; data: { now: string } };

type ActivePlace = Extract<PlaceState, { status: 'active' | 'removed' }>;

function active(state: PlaceState): ActivePlace {
  // A removed place is gone for every command: it reads as not found.
  if (state.status !== 'active') throw new DomainError('not_found', 'Not found.');
  return state;
}

function decide(command: PlaceCommand, state: PlaceState): PlaceEvent[] {
  switch (command.type) {
    case 'CreatePlace': {
      if (state.status !== 'none') throw conflict('This place already exists.');
      const { placeId, organizationId, details, now } = command.data;
      return [{ type: 'PlaceCreated', data: { placeId, organizationId, ...pick(details, DETAILS), createdAt: now } }];
    }
    case 'UpdatePlace': {
      const place = active(state);
      const changes = changedFields<PlaceChanges>(DETAILS, place.details, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'PlaceUpdated', data: { placeId: place.placeId, organizationId: place.organizationId, changes, updatedAt: command.data.now } }];
    }
    case 'RemovePlace': {
      const place = active(state);
      return [{ type: 'PlaceRemoved', data: { placeId: place.placeId, organizationId: place.organizationId, removedAt: command.data.now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: PlaceState, event: PlaceEvent): PlaceState {
  switch (event.type) {
    case 'PlaceCreated': {
      const { placeId, organizationId, name, address, description } = event.data;
      return { status: 'active', placeId, organizationId, details: { name, address, description } };
    }
    case 'PlaceUpdated':
      return state.status === 'none' ? state : { ...state, details: { ...state.details, ...event.data.changes } };
    case 'PlaceRemoved':
      return state.status === 'none' ? state : { ...state, status: 'removed' };
    default:
      return state;
  }
}

export const placeDecider: Decider<PlaceState, PlaceCommand, PlaceEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
