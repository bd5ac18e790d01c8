import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { ActorRef } from '../scheduling/schedule.js';

// Stream `webhook-{webhookId}`: one endpoint an organization registered to
// be told of its events (docs/webhooks.md). The signing secret is never
// here: it is derived from the service's secret, the endpoint's id and
// `rotation` (src/workflows/webhooks/signing.ts), so rotating it is an event
// that counts, not one that carries a key.
//
//   registered -> (secret rotated)* -> deleted

export const webhookStream = (webhookId: string) => `webhook-${webhookId}`;

/** The event types an endpoint may subscribe to: a closed list, named as the payload's `type`. */
export const WEBHOOK_EVENT_TYPES = ['appointment.booked', 'appointment.rescheduled', 'appointment.cancelled', 'client.created'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const Ids = { webhookId: Type.String(), organizationId: Type.String() };

export const WebhookRegisteredData = Type.Object({
  ...Ids,
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  description: Type.String(),
  registeredBy: ActorRef,
  registeredAt: Type.String(),
});
/** `rotation`: how many times the secret was rotated, this one included (the secret of rotation n is derived from n). */
export const WebhookSecretRotatedData = Type.Object({ ...Ids, rotation: Type.Integer({ minimum: 1 }), rotatedBy: ActorRef, rotatedAt: Type.String() });
export const WebhookDeletedData = Type.Object({ ...Ids, deletedBy: ActorRef, deletedAt: Type.String() });

export type WebhookRegistered = Event<'WebhookRegistered', Static<typeof WebhookRegisteredData>>;
export type WebhookSecretRotated = Event<'WebhookSecretRotated', Static<typeof WebhookSecretRotatedData>>;
export type WebhookDeleted = Event<'WebhookDeleted', Static<typeof WebhookDeletedData>>;

export type WebhookEvent = WebhookRegistered | WebhookSecretRotated | WebhookDeleted;

export const webhookEventTypes: readonly WebhookEvent['type'][] = ['WebhookRegistered', 'WebhookSecretRotated', 'WebhookDeleted'];
