import type { EventCatalogue } from '../catalogue.js';
import * as endpoint from './endpoint.js';

/** Webhook endpoints of organizations (their deliveries are operational rows, not events). */
export const webhookEvents: EventCatalogue = {
  schemas: {
    WebhookRegistered: endpoint.WebhookRegisteredData,
    WebhookSecretRotated: endpoint.WebhookSecretRotatedData,
    WebhookDeleted: endpoint.WebhookDeletedData,
  },
};
