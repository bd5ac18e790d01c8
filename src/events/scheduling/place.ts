import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';

// Stream `place-{placeId}`: a room or a branch of one organization, where
// appointments happen. A place of its own stream: renaming a room never
// contends with bookings.

export const placeStream = (placeId: string) => `place-${placeId}`;

export const PlaceDetails = Type.Object({
  name: Type.String(),
  address: Type.String(),
  description: Type.String(),
});
export type PlaceDetails = Static<typeof PlaceDetails>;

export const PlaceChanges = Type.Partial(PlaceDetails);
export type PlaceChanges = Static<typeof PlaceChanges>;

export const PlaceCreatedData = Type.Object({ placeId: Type.String(), organizationId: Type.String(), ...PlaceDetails.properties, createdAt: Type.String() });
export const PlaceUpdatedData = Type.Object({ placeId: Type.String(), organizationId: Type.String(), changes: PlaceChanges, updatedAt: Type.String() });
export const PlaceRemovedData = Type.Object({ placeId: Type.String(), organizationId: Type.String(), removedAt: Type.String() });

export type PlaceCreated = Event<'PlaceCreated', Static<typeof PlaceCreatedData>>;
export type PlaceUpdated = Event<'PlaceUpdated', Static<typeof PlaceUpdatedData>>;
/** Nothing more can be booked there; appointments already there keep it. */
export type PlaceRemoved = Event<'PlaceRemoved', Static<typeof PlaceRemovedData>>;

export type PlaceEvent = PlaceCreated | PlaceUpdated | PlaceRemoved;

export const placeEventTypes: readonly PlaceEvent['type'][] = ['PlaceCreated', 'PlaceUpdated', 'PlaceRemoved'];
