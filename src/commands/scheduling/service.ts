import { ServiceDetails, type ServiceChanges, type ServiceEvent } from '../../events/scheduling/service.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { changedFields, fieldsOf, pick } from '../fields.js';

const DETAILS = fieldsOf(ServiceDetails);

interface KnownService {
  readonly serviceId: string;
  readonly organizationId: string;
  readonly details: ServiceDetails;
}

export type ActiveService = KnownService & { readonly status: 'active' };
export type ServiceState = { readonly status: 'none' } | ActiveService | (KnownService & { readonly status: 'removed' });

/**
 * `specialistIds` are checked by the caller to be active specialists of the
 * organization (they live in other streams); the decider keeps the rest.
 */
export type ServiceCommand =
  | { type: 'CreateService'; data: { serviceId: string; organizationId: string; details: ServiceDetails; now: string } }
  | { type: 'UpdateService'; data: { changes: ServiceChanges; now: string } }
  | { type: 'RemoveService'; data: { now: string } };

function active(state: ServiceState): ActiveService {
  // A removed service is gone for every command: it reads as not found.
  if (state.status !== 'active') throw new DomainError('not_found', 'Not found.');
  return state;
}

function decide(command: ServiceCommand, state: ServiceState): ServiceEvent[] {
  switch (command.type) {
    case 'CreateService': {
      if (state.status !== 'none') throw conflict('This service already exists.');
      const { serviceId, organizationId, details, now } = command.data;
      return [{ type: 'ServiceCreated', data: { serviceId, organizationId, ...pick(details, DETAILS), createdAt: now } }];
    }
    case 'UpdateService': {
      const service = active(state);
      const changes = changedFields<ServiceChanges>(DETAILS, service.details, command.data.changes);
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'ServiceUpdated', data: { serviceId: service.serviceId, organizationId: service.organizationId, changes, updatedAt: command.data.now } }];
    }
    case 'RemoveService': {
      const service = active(state);
      return [{ type: 'ServiceRemoved', data: { serviceId: service.serviceId, organizationId: service.organizationId, removedAt: command.data.now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: ServiceState, event: ServiceEvent): ServiceState {
  switch (event.type) {
    case 'ServiceCreated': {
      const { serviceId, organizationId, createdAt: _createdAt, ...details } = event.data;
      return { status: 'active', serviceId, organizationId, details: pick(details, DETAILS) };
    }
    case 'ServiceUpdated':
      return state.status === 'none' ? state : { ...state, details: { ...state.details, ...event.data.changes } };
    case 'ServiceRemoved':
      return state.status === 'none' ? state : { ...state, status: 'removed' as const };
    default:
      return state;
  }
}

export const serviceDecider: Decider<ServiceState, ServiceCommand, ServiceEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
};
