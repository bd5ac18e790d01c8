import type { ActorRef } from '../../events/scheduling/schedule.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from '../../events/webhooks/endpoint.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';

// The decider of one webhook endpoint (`webhook-{id}`, src/events/webhooks/endpoint.ts).
// Its own rules only: the URL's form and the closed list of event types.
// Where the URL's host resolves (no private, loopback or link-local
// destination) is I/O: the registration workflow checks it before this.

/** A URL longer than this is not an endpoint anyone types. */
export const MAX_URL_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 500;

export interface WebhookEndpoint {
  readonly webhookId: string;
  readonly organizationId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description: string;
  /** The secret of rotation n is derived from n: 0 until the first rotation. */
  readonly rotation: number;
  readonly deleted: boolean;
}

export interface WebhookState {
  readonly endpoint: WebhookEndpoint | undefined;
}

export type WebhookCommand =
  | { type: 'RegisterWebhook'; data: { webhookId: string; organizationId: string; url: string; eventTypes: readonly string[]; description: string; by: ActorRef; now: string } }
  | { type: 'RotateWebhookSecret'; data: { by: ActorRef; now: string } }
  | { type: 'DeleteWebhook'; data: { by: ActorRef; now: string } };

/**
 * The URL's own rules, by the field a request sends: absolute, https (http
 * only where private networks are allowed, i.e. development and tests), no
 * credentials in it, no fragment.
 */
export function urlErrors(url: string, allowHttp: boolean): string[] {
  if (url.length > MAX_URL_LENGTH) return [`At most ${MAX_URL_LENGTH} characters.`];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return ['An absolute URL, such as https://example.com/webhooks.'];
  }
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) return ['The URL must use https.'];
  if (parsed.username !== '' || parsed.password !== '') return ['No user name or password in the URL: the signature authenticates deliveries.'];
  if (parsed.hash !== '') return ['No fragment (#...) in the URL.'];
  if (parsed.hostname === '') return ['The URL names no host.'];
  return [];
}

export function eventTypeErrors(eventTypes: readonly string[]): string[] {
  if (eventTypes.length === 0) return ['At least one event type.'];
  const unknown = eventTypes.filter((type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0) return [`Unknown event types: ${unknown.join(', ')}. Known: ${WEBHOOK_EVENT_TYPES.join(', ')}.`];
  if (new Set(eventTypes).size !== eventTypes.length) return ['Each event type once.'];
  return [];
}

function existing(state: WebhookState): WebhookEndpoint {
  if (!state.endpoint || state.endpoint.deleted) throw new DomainError('not_found', 'Not found.');
  return state.endpoint;
}

const ids = (endpoint: WebhookEndpoint) => ({ webhookId: endpoint.webhookId, organizationId: endpoint.organizationId });

function decide(command: WebhookCommand, state: WebhookState): WebhookEvent[] {
  switch (command.type) {
    case 'RegisterWebhook': {
      if (state.endpoint) throw conflict('This webhook already exists.');
      const { by, now, eventTypes, ...rest } = command.data;
      const errors = eventTypeErrors(eventTypes);
      if (errors.length > 0) throw new DomainError('invalid', 'Invalid input.', { event_types: errors });
      return [{ type: 'WebhookRegistered', data: { ...rest, eventTypes: [...eventTypes], registeredBy: by, registeredAt: now } }];
    }
    case 'RotateWebhookSecret': {
      const endpoint = existing(state);
      return [{ type: 'WebhookSecretRotated', data: { ...ids(endpoint), rotation: endpoint.rotation + 1, rotatedBy: command.data.by, rotatedAt: command.data.now } }];
    }
    case 'DeleteWebhook': {
      if (state.endpoint?.deleted) return [];
      const endpoint = existing(state);
      return [{ type: 'WebhookDeleted', data: { ...ids(endpoint), deletedBy: command.data.by, deletedAt: command.data.now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: WebhookState, event: WebhookEvent): WebhookState {
  const endpoint = state.endpoint;
  switch (event.type) {
    case 'WebhookRegistered': {
      const { webhookId, organizationId, url, eventTypes, description } = event.data;
      return { endpoint: { webhookId, organizationId, url, eventTypes, description, rotation: 0, deleted: false } };
    }
    case 'WebhookSecretRotated':
      return endpoint ? { endpoint: { ...endpoint, rotation: event.data.rotation } } : state;
    case 'WebhookDeleted':
      return endpoint ? { endpoint: { ...endpoint, deleted: true } } : state;
    default:
      return state;
  }
}

export const webhookDecider: Decider<WebhookState, WebhookCommand, WebhookEvent> = {
  initialState: () => ({ endpoint: undefined }),
  evolve,
  decide,
};
