import { createHash, createHmac } from 'node:crypto';

// Secrets and signatures as the Standard Webhooks specification has them
// (https://www.standardwebhooks.com, docs/webhooks.md):
// - the secret is `whsec_` + base64 of its key bytes;
// - `webhook-signature` is `v1,` + base64 of HMAC-SHA256, keyed by those
//   bytes, over `<webhook-id>.<webhook-timestamp>.<body>`.
// The key is derived, never stored: HMAC-SHA256 of the service's secret
// (CODE_SECRET, or the one kept under DATA_DIR) over
// `webhook:<id>:<rotation>`. A rotation is a counter on the endpoint's
// stream; the secret itself is in no event, row, job or log.

export const SECRET_PREFIX = 'whsec_';

export function webhookKey(serviceSecret: Buffer, webhookId: string, rotation: number): Buffer {
  return createHmac('sha256', serviceSecret).update(`webhook:${webhookId}:${rotation}`).digest();
}

/** What the endpoint's owner is shown once (at registration and at each rotation) to verify deliveries with. */
export const webhookSecret = (serviceSecret: Buffer, webhookId: string, rotation: number) => `${SECRET_PREFIX}${webhookKey(serviceSecret, webhookId, rotation).toString('base64')}`;

/** The `webhook-signature` header's value for one attempt. */
export function signatureOf(key: Buffer, messageId: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/**
 * The delivery's id (`webhook-id`): fixed by the endpoint and the event, so
 * every attempt of one delivery carries the same id (receivers dedupe on
 * it) and a replayed event enqueues the same job.
 */
export function deliveryIdOf(webhookId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${webhookId}/${eventId}`).digest('base64url').slice(0, 27)}`;
}
