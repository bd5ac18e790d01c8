// The webhooks' setting (docs/webhooks.md). Deliveries go to public
// addresses only; a development or test setup that posts to this host or
// its private network says so, and then http is accepted as well as https.
import type { Config } from '../config.js';
import type { Settings } from './settings.js';

export function webhookSettings(s: Settings): Pick<Config, 'webhooks'> {
  return { webhooks: { allowPrivateNetworks: s.oneOf('WEBHOOKS_ALLOW_PRIVATE_NETWORKS', ['true', 'false'] as const, 'false') === 'true' } };
}
