import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { asEvent } from '../../events/event.js';
import { webhookEventTypes, type WebhookEvent } from '../../events/webhooks/endpoint.js';
import type { Projection } from '../projection.js';
import type { WebhookDeliveryRow, WebhookEndpointRow } from './tables.js';

// Read model `webhook_endpoints`: an organization's endpoints, oldest first.
// The endpoint's stream decides; a deleted endpoint leaves the table. The
// delivery log (`webhook_deliveries`) is the worker's, read here too.

export const webhookEndpointsProjection: Projection = {
  name: 'webhook-endpoints',
  parkUnappliable: true,
  canHandle: webhookEventTypes,
  async apply(trx, events) {
    for (const stored of events) {
      const event = asEvent<WebhookEvent>(stored);
      if (event.type === 'WebhookRegistered') {
        const d = event.data;
        await trx
          .insertInto('webhook_endpoints')
          .values({ id: d.webhookId, organization_id: d.organizationId, url: d.url, event_types: JSON.stringify(d.eventTypes), description: d.description, created_at: d.registeredAt })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      } else if (event.type === 'WebhookDeleted') {
        await trx.deleteFrom('webhook_endpoints').where('id', '=', event.data.webhookId).execute();
      }
    }
  },
  async reset(trx) {
    await trx.deleteFrom('webhook_endpoints').execute();
  },
};

export function findWebhookEndpoint(db: Kysely<Database>, webhookId: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', webhookId).executeTakeFirst();
}

export function listWebhookEndpoints(db: Kysely<Database>, organizationId: string): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
}

/** Where a page of the delivery log ends: the last row's creation time and id. */
export interface DeliveryCursor {
  readonly createdAt: string;
  readonly id: string;
}

/** An endpoint's deliveries, newest first, `limit` of them after `after`. */
export function listWebhookDeliveries(db: Kysely<Database>, webhookId: string, limit: number, after?: DeliveryCursor): Promise<WebhookDeliveryRow[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
  if (after) {
    query = query.where((eb) => eb.or([eb('created_at', '<', new Date(after.createdAt)), eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('id', '<', after.id)])]));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
