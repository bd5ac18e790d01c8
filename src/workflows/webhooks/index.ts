import type { Processes } from '../processes.js';
import { WEBHOOK_DELIVERY, webhookDeliveryHandler, webhookReactor } from './deliveries.js';

/** Events of an organization's subscribed types are delivered, signed, to its endpoints. */
export const webhookProcesses: Processes = {
  reactors: ({ jobs }) => [webhookReactor({ jobs })],
  jobs: ({ db, store, config, codeSecret, now, logger }) => ({
    [WEBHOOK_DELIVERY]: webhookDeliveryHandler({ db, store, serviceSecret: codeSecret, allowPrivateNetworks: config.webhooks.allowPrivateNetworks, backoffBaseMs: config.jobBackoffMs, now, logger }),
  }),
};
