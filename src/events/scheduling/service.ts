import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { Cost } from './schedule.js';

// Stream `service-{serviceId}`: what an organization offers (a massage, a
// yoga class), its length, its price and who offers it. A booking by
// service takes its duration and price from here, and a service with a
// capacity over one is a group session whose slots have seats.

export const serviceStream = (serviceId: string) => `service-${serviceId}`;

export const ServiceDetails = Type.Object({
  name: Type.String(),
  durationMinutes: Type.Integer(),
  /** In minor units. */
  price: Cost,
  /** The specialists who offer it, of the same organization. */
  specialistIds: Type.Array(Type.String()),
  /** Clients one slot of it takes: 1 is a private appointment, more a group session with seats. */
  capacity: Type.Integer(),
  /** Kept free around each appointment of this service, beyond the specialist's own buffers. */
  bufferBeforeMinutes: Type.Integer(),
  bufferAfterMinutes: Type.Integer(),
});
export type ServiceDetails = Static<typeof ServiceDetails>;

export const ServiceChanges = Type.Partial(ServiceDetails);
export type ServiceChanges = Static<typeof ServiceChanges>;

export const ServiceCreatedData = Type.Object({ serviceId: Type.String(), organizationId: Type.String(), ...ServiceDetails.properties, createdAt: Type.String() });
export const ServiceUpdatedData = Type.Object({ serviceId: Type.String(), organizationId: Type.String(), changes: ServiceChanges, updatedAt: Type.String() });
export const ServiceRemovedData = Type.Object({ serviceId: Type.String(), organizationId: Type.String(), removedAt: Type.String() });

export type ServiceCreated = Event<'ServiceCreated', Static<typeof ServiceCreatedData>>;
/** Bookings made before keep the duration and price they were made with. */
export type ServiceUpdated = Event<'ServiceUpdated', Static<typeof ServiceUpdatedData>>;
/** Nothing more can be booked by it; appointments already booked stay. */
export type ServiceRemoved = Event<'ServiceRemoved', Static<typeof ServiceRemovedData>>;

export type ServiceEvent = ServiceCreated | ServiceUpdated | ServiceRemoved;

export const serviceEventTypes: readonly ServiceEvent['type'][] = ['ServiceCreated', 'ServiceUpdated', 'ServiceRemoved'];
