import type { CommandHandler } from '../../commands/handler.js';
import { DomainError } from '../../commands/errors.js';
import { eventTypeErrors, urlErrors, webhookDecider } from '../../commands/webhooks/endpoint.js';
import type { ActorRef } from '../../events/scheduling/schedule.js';
import { webhookStream } from '../../events/webhooks/endpoint.js';
import { DestinationRefused, hostOf, resolveDestination } from '../../net/destinations.js';
import type { EventMetadata, Position } from '../../store/port.js';

// Registering an endpoint: the URL's form and event types (the decider's
// rules), and where its host resolves (I/O: no private, loopback or
// link-local destination unless private networks are allowed), every
// refusal at once; then the endpoint's stream decides. The same check runs
// again at every delivery, against the address actually connected to.

export interface RegisterRequest {
  readonly webhookId: string;
  readonly organizationId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description: string;
  readonly by: ActorRef;
  readonly now: Date;
  readonly allowPrivateNetworks: boolean;
}

async function registrationErrors(request: RegisterRequest): Promise<Record<string, string[]>> {
  const errors: Record<string, string[]> = {};
  const url = urlErrors(request.url, request.allowPrivateNetworks);
  if (url.length > 0) errors.url = url;
  else {
    try {
      await resolveDestination(hostOf(new URL(request.url)), request.allowPrivateNetworks);
    } catch (error) {
      if (!(error instanceof DestinationRefused)) throw error;
      errors.url = [error.message];
    }
  }
  const types = eventTypeErrors(request.eventTypes);
  if (types.length > 0) errors.event_types = types;
  return errors;
}

export async function registerWebhook(deps: { handle: CommandHandler }, request: RegisterRequest, metadata: EventMetadata): Promise<Position | undefined> {
  const errors = await registrationErrors(request);
  if (Object.keys(errors).length > 0) throw new DomainError('invalid', 'Invalid input.', errors);
  const { webhookId, organizationId, url, eventTypes, description, by, now } = request;
  const data = { webhookId, organizationId, url, eventTypes, description, by, now: now.toISOString() };
  return (await deps.handle(webhookDecider, webhookStream(webhookId), { type: 'RegisterWebhook', data }, metadata)).position;
}
