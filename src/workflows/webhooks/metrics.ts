import { Counter } from 'prom-client';

// Webhook deliveries by outcome, one count per attempt's end:
// delivered (2xx), retrying (an attempt failed, another comes), failed (the
// last attempt failed), refused (the destination is not public), dropped
// (the endpoint was deleted before the attempt). Created without a
// registry: /metrics (src/api/metrics.ts) registers it.

export const WEBHOOK_OUTCOMES = ['delivered', 'retrying', 'failed', 'refused', 'dropped'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export const webhookDeliveriesTotal = new Counter<'outcome'>({
  name: 'webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome: delivered, retrying, failed (last attempt), refused (destination not public), dropped (endpoint deleted).',
  labelNames: ['outcome'],
  registers: [],
});
// Every outcome is shown from the start (at 0), so a dashboard's rate() has a series before the first delivery.
for (const outcome of WEBHOOK_OUTCOMES) webhookDeliveriesTotal.inc({ outcome }, 0);
