import type { Selectable } from 'kysely';
import type { Timestamp } from '../../db/database.js';

// The tables of the webhooks capability, made by the dated migration in
// src/db/migrations/:
// - `webhook_endpoints`: the read model the routes list (its projection);
// - `webhook_subscriptions`: the delivery reactor's own view of which
//   endpoint wants which events, kept in log order inside the reactor's
//   checkpoint transaction (an event before an endpoint's registration is
//   never matched to it); never rebuilt, like the reactor;
// - `webhook_deliveries`: the delivery log, operational rows the worker
//   writes at each attempt (not events).

declare module '../../db/database.js' {
  interface Database {
    webhook_endpoints: WebhookEndpointsTable;
    webhook_subscriptions: WebhookSubscriptionsTable;
    webhook_deliveries: WebhookDeliveriesTable;
  }
}

export interface WebhookEndpointsTable {
  id: string;
  organization_id: string;
  url: string;
  /** JSON array of event type names. */
  event_types: string;
  description: string;
  created_at: Timestamp;
}

export interface WebhookSubscriptionsTable {
  webhook_id: string;
  organization_id: string;
  event_types: string;
}

export interface WebhookDeliveriesTable {
  /** The `webhook-id` header: fixed by endpoint and event, the same on every attempt. */
  id: string;
  webhook_id: string;
  event_type: string;
  /** The log event it tells of. */
  event_id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
