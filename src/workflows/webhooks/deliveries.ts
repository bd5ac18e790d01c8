import type { Kysely } from 'kysely';
import { loadState } from '../../commands/load-state.js';
import { webhookDecider } from '../../commands/webhooks/endpoint.js';
import type { Database } from '../../db/database.js';
import { asEvent } from '../../events/event.js';
import { webhookStream, type WebhookEvent } from '../../events/webhooks/endpoint.js';
import { backoffDelay, withTimeout, type JobHandler, type JobQueue, type Logger } from '../../jobs/queue.js';
import type { Projection } from '../../projections/projection.js';
import type { EventStore } from '../../store/port.js';
import { webhookDeliveriesTotal, type WebhookOutcome } from './metrics.js';
import { DELIVERED, payloadOf } from './payload.js';
import { postSigned, type Attempt } from './send.js';
import { deliveryIdOf, signatureOf, webhookKey } from './signing.js';

// The webhooks' reactor and job. The reactor follows the log in order and
// keeps its own view of the endpoints (`webhook_subscriptions`, in its
// checkpoint's transaction): an event is matched only to the endpoints
// registered BEFORE it in the log, so a new endpoint is never sent the
// past, and the reactor's first start (checkpoint zero, a log without any
// endpoint) sends nothing. For each match it enqueues one job, ids only,
// under the delivery's id (a replayed event enqueues nothing new).
// The job reads the event from its stream, signs and posts it, and writes
// the delivery log at each attempt; a failed attempt throws, so the queue
// tries again with its exponential backoff.

export const WEBHOOK_DELIVERY = 'webhook-delivery';
/** Tries of one delivery, the first included: with JOB_BACKOFF_MS=1000 the last comes about 2 minutes after the first (1+2+...+64 s). */
export const WEBHOOK_ATTEMPTS = 8;

const ENQUEUE_TIMEOUT_MS = 3000;

export function webhookReactor(deps: { jobs: JobQueue }): Projection {
  return {
    name: 'reactor-webhooks',
    canHandle: ['WebhookRegistered', 'WebhookDeleted', ...Object.keys(DELIVERED)],
    async apply(trx, events) {
      for (const stored of events) {
        if (stored.type === 'WebhookRegistered' || stored.type === 'WebhookDeleted') {
          const event = asEvent<WebhookEvent>(stored);
          if (event.type === 'WebhookRegistered') {
            const { webhookId, organizationId, eventTypes } = event.data;
            await trx.insertInto('webhook_subscriptions').values({ webhook_id: webhookId, organization_id: organizationId, event_types: JSON.stringify(eventTypes) }).onConflict((oc) => oc.column('webhook_id').doNothing()).execute();
          } else await trx.deleteFrom('webhook_subscriptions').where('webhook_id', '=', event.data.webhookId).execute();
          continue;
        }
        const eventType = DELIVERED[stored.type];
        const organizationId = (stored.data as { organizationId?: unknown }).organizationId;
        if (eventType === undefined || typeof organizationId !== 'string') continue;
        const subscriptions = await trx.selectFrom('webhook_subscriptions').selectAll().where('organization_id', '=', organizationId).execute();
        for (const subscription of subscriptions) {
          if (!(JSON.parse(subscription.event_types) as string[]).includes(eventType)) continue;
          const webhookId = subscription.webhook_id;
          const data = { webhookId, stream: stored.stream, version: String(stored.version), eventId: stored.id, eventType };
          const jobId = `webhook-delivery-${deliveryIdOf(webhookId, stored.id)}`;
          await withTimeout(deps.jobs.enqueue(WEBHOOK_DELIVERY, data, { jobId, attempts: WEBHOOK_ATTEMPTS }), ENQUEUE_TIMEOUT_MS);
        }
      }
    },
    // Replaying would deliver again: a reactor is never rebuilt.
    async reset() {
      throw new Error('a reactor cannot be rebuilt');
    },
  };
}

export interface DeliveryDeps {
  readonly db: Kysely<Database>;
  readonly store: EventStore;
  /** The service's secret the endpoints' keys are derived from. */
  readonly serviceSecret: Buffer;
  readonly allowPrivateNetworks: boolean;
  readonly backoffBaseMs: number;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}

const FINISHED = new Set(['delivered', 'failed']);

export function webhookDeliveryHandler(deps: DeliveryDeps): JobHandler<Record<string, string>> {
  const { db, store } = deps;
  const count = (outcome: WebhookOutcome) => webhookDeliveriesTotal.inc({ outcome });
  return async (data, { attempt }) => {
    const { webhookId, stream, version, eventId, eventType } = data;
    if (!webhookId || !stream || !version || !eventId || !eventType) throw new Error('webhook-delivery job without webhookId, stream, version, eventId and eventType');
    const id = deliveryIdOf(webhookId, eventId);
    const now = deps.now();
    await db
      .insertInto('webhook_deliveries')
      .values({ id, webhook_id: webhookId, event_type: eventType, event_id: eventId, status: 'pending', attempts: 0, last_status_code: null, last_error: null, next_attempt_at: now, created_at: now, delivered_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const row = await db.selectFrom('webhook_deliveries').select(['status']).where('id', '=', id).executeTakeFirstOrThrow();
    if (FINISHED.has(row.status)) return;
    const record = (values: { status: string; last_status_code: number | null; last_error: string | null; next_attempt_at: Date | null; delivered_at?: Date }) =>
      db.updateTable('webhook_deliveries').set({ ...values, attempts: attempt }).where('id', '=', id).execute();

    const endpoint = (await loadState(store, webhookDecider, webhookStream(webhookId))).state.endpoint;
    if (!endpoint || endpoint.deleted) {
      await record({ status: 'failed', last_status_code: null, last_error: 'The endpoint was deleted.', next_attempt_at: null });
      count('dropped');
      return;
    }
    const history = await store.readStream(stream, { limit: Number(version) + 1 });
    const event = history.find((e) => e.id === eventId);
    const payload = event && payloadOf(history, event);
    if (!payload) throw new Error(`webhook delivery ${id}: event ${eventId} not found in its stream`);

    const body = JSON.stringify(payload);
    const timestamp = Math.floor(deps.now().getTime() / 1000);
    const signature = signatureOf(webhookKey(deps.serviceSecret, webhookId, endpoint.rotation), id, timestamp, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    const result: Attempt = await postSigned(endpoint.url, headers, body, { allowPrivateNetworks: deps.allowPrivateNetworks, ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}) });

    if (result.outcome === 'delivered') {
      await record({ status: 'delivered', last_status_code: result.statusCode, last_error: null, next_attempt_at: null, delivered_at: deps.now() });
      count('delivered');
      return;
    }
    if (result.outcome === 'refused') {
      // Not tried again: a destination inside is refused whatever the hour.
      await record({ status: 'failed', last_status_code: null, last_error: result.error, next_attempt_at: null });
      count('refused');
      deps.logger.warn({ webhookId, deliveryId: id }, 'webhook delivery refused: the destination is not public');
      return;
    }
    if (attempt >= WEBHOOK_ATTEMPTS) {
      // The log says it failed; the queue's failed list is kept for the service's own faults.
      await record({ status: 'failed', last_status_code: result.statusCode, last_error: result.error, next_attempt_at: null });
      count('failed');
      deps.logger.warn({ webhookId, deliveryId: id, attempts: attempt }, 'webhook delivery failed: no attempt succeeded');
      return;
    }
    await record({ status: 'retrying', last_status_code: result.statusCode, last_error: result.error, next_attempt_at: new Date(deps.now().getTime() + backoffDelay(deps.backoffBaseMs, attempt)) });
    count('retrying');
    throw new Error(`webhook delivery ${id} attempt ${attempt}: ${result.error}`);
  };
}
