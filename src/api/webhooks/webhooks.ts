import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH, webhookDecider } from '../../commands/webhooks/endpoint.js';
import { Nullable } from '../../events/schema.js';
import { WEBHOOK_EVENT_TYPES, webhookStream } from '../../events/webhooks/endpoint.js';
import { findWebhookEndpoint, listWebhookDeliveries, listWebhookEndpoints, type DeliveryCursor } from '../../projections/webhooks/endpoints.js';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../../projections/webhooks/tables.js';
import type { Position } from '../../store/port.js';
import { registerWebhook } from '../../workflows/webhooks/endpoints.js';
import { webhookSecret } from '../../workflows/webhooks/signing.js';
import { organizationGrantOf, STAFF } from '../access.js';
import type { Dependencies } from '../dependencies.js';
import { NotVisibleYet } from '../errors.js';
import { metadataOf } from '../metadata.js';
import { named } from '../openapi/components.js';
import { OrgParams } from '../organizations/organizations.js';
import { actorRefOf } from '../scheduling/appointments.js';
import { authorizeInOrganization } from '../scheduling/scheduling-access.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import { awaitVisible } from '../visibility.js';

// Webhooks (docs/webhooks.md): an organization's owner or admin registers
// an endpoint for some event types and is shown its signing secret once;
// the delivery reactor (src/workflows/webhooks/) then posts each event of
// those types, signed as the Standard Webhooks specification says, and
// keeps a delivery log per endpoint. Staff of other organizations find
// nothing (404); its organization's other members, and clients, are refused (403).

const EDITORS = ['owner', 'admin'] as const;
const editors = { kind: 'organization', param: 'org', roles: EDITORS } as const;
const TAGS = ['webhooks'];

const EXAMPLE_ID = '3f0c8c5e-1d2b-4c7a-9e4f-5a6b7c8d9e0f';
const EXAMPLE_URL = 'https://hooks.example.com/booking';
const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const EventType = Type.Enum(WEBHOOK_EVENT_TYPES, { description: 'appointment.booked, appointment.rescheduled, appointment.cancelled or client.created.' });

const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'Where deliveries are posted: https, a public host (docs/webhooks.md).' }),
    event_types: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16, description: `Which events to deliver, each once: ${WEBHOOK_EVENT_TYPES.join(', ')}.` }),
    description: Type.Optional(Type.String({ maxLength: MAX_DESCRIPTION_LENGTH })),
  },
  { examples: [{ url: EXAMPLE_URL, event_types: ['appointment.booked', 'appointment.cancelled'], description: 'Front desk dashboard' }] },
);

const webhookFields = {
  id: Uuid,
  organization_id: Uuid,
  url: Type.String(),
  event_types: Type.Array(EventType),
  description: Type.String(),
  created_at: Timestamp,
};
const exampleWebhook = { id: EXAMPLE_ID, organization_id: '7b1e6a2c-4d3f-4e5a-8b9c-0d1e2f3a4b5c', url: EXAMPLE_URL, event_types: ['appointment.booked', 'appointment.cancelled'], description: 'Front desk dashboard', created_at: '2027-03-01T09:00:00.000Z' };

const WebhookReply = named('Webhook', Type.Object(webhookFields, { description: 'A webhook endpoint (its secret is never shown again).', examples: [exampleWebhook] }));
const WithSecret = Type.Object(
  { ...webhookFields, secret: Type.String({ description: 'whsec_ and base64: the key deliveries are signed with. Shown only in this reply; keep it.' }) },
  { description: 'The endpoint, with its signing secret, shown this once.', examples: [{ ...exampleWebhook, secret: EXAMPLE_SECRET }] },
);
const WebhookList = Type.Array(WebhookReply, { description: 'The organization’s endpoints, oldest first.', examples: [[exampleWebhook]] });

const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'retrying'] as const;
const Delivery = named('WebhookDelivery', Type.Object({
  id: Type.String({ description: 'The webhook-id header of its attempts.' }),
  event_type: EventType,
  event_id: Type.String({ description: 'The recorded event it tells of.' }),
  status: Type.Enum(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  next_attempt_at: Nullable(Timestamp),
  created_at: Timestamp,
  delivered_at: Nullable(Timestamp),
}, { description: 'One event told to one endpoint: its attempts so far.' }));
const exampleDelivery = {
  id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  event_type: 'appointment.booked',
  event_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  status: 'retrying',
  attempts: 1,
  last_status_code: 500,
  last_error: 'HTTP 500.',
  next_attempt_at: '2027-03-01T09:00:02.000Z',
  created_at: '2027-03-01T09:00:00.000Z',
  delivered_at: null,
};
const DeliveryPage = Type.Object(
  { items: Type.Array(Delivery), next: Nullable(Type.String({ description: 'The cursor of the next page; null on the last.' })) },
  { description: 'The endpoint’s deliveries, newest first.', examples: [{ items: [exampleDelivery], next: null }] },
);

const WebhookParams = Type.Object({ id: Uuid });
const DeliveryQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'From the previous page’s `next`.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});

const replyOf = (row: WebhookEndpointRow) => ({
  id: row.id,
  organization_id: row.organization_id,
  url: row.url,
  event_types: JSON.parse(row.event_types) as (typeof WEBHOOK_EVENT_TYPES)[number][],
  description: row.description,
  created_at: new Date(row.created_at).toISOString(),
});

const iso = (at: Date | string | null) => (at === null ? null : new Date(at).toISOString());

const deliveryOf = (row: WebhookDeliveryRow) => ({
  id: row.id,
  event_type: row.event_type as (typeof WEBHOOK_EVENT_TYPES)[number],
  event_id: row.event_id,
  status: row.status as (typeof DELIVERY_STATUSES)[number],
  attempts: row.attempts,
  last_status_code: row.last_status_code,
  last_error: row.last_error,
  next_attempt_at: iso(row.next_attempt_at),
  created_at: new Date(row.created_at).toISOString(),
  delivered_at: iso(row.delivered_at),
});

const cursorOf = (row: WebhookDeliveryRow) => Buffer.from(JSON.stringify([new Date(row.created_at).toISOString(), row.id])).toString('base64url');

function parseCursor(cursor: string): DeliveryCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string') return { createdAt, id };
  } catch {
    // Falls through to the refusal.
  }
  throw new DomainError('invalid', 'Invalid input.', { cursor: ['Not a cursor this list gave.'] });
}

/** The endpoint once the caller is its organization's owner or admin; 404 when it is not there or not theirs. */
async function authorizedWebhook(deps: Dependencies, request: FastifyRequest, webhookId: string): Promise<WebhookEndpointRow> {
  const row = await findWebhookEndpoint(deps.db, webhookId);
  await authorizeInOrganization(deps, request, row?.organization_id, EDITORS);
  return row!;
}

async function present(deps: Dependencies, webhookId: string, position: Position | undefined): Promise<WebhookEndpointRow> {
  await awaitVisible(deps, position, ['webhook-endpoints'], webhookId, `/api/v1/webhooks/${webhookId}`);
  const row = await findWebhookEndpoint(deps.db, webhookId);
  if (!row) throw new NotVisibleYet(webhookId);
  return row;
}

export const webhookRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.post('/organizations/:org/webhooks', {
    config: { access: editors },
    schema: {
      operationId: 'createWebhook',
      tags: TAGS,
      summary: 'Register a webhook endpoint (owner, admin); its signing secret is in this reply only.',
      description: 'The URL must be https and its host must resolve to public addresses only (no private, loopback, link-local, CGNAT or multicast address) unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true. Only events recorded after the registration are delivered.',
      params: OrgParams,
      body: CreateBody,
      response: { 201: WithSecret, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const webhookId = deps.newId();
    const position = await registerWebhook({ handle: deps.handle }, {
      webhookId,
      organizationId,
      url: request.body.url,
      eventTypes: request.body.event_types,
      description: request.body.description?.trim() ?? '',
      by: actorRefOf(request),
      now: deps.now(),
      allowPrivateNetworks: deps.webhooks.allowPrivateNetworks,
    }, metadataOf(request));
    const row = await present(deps, webhookId, position);
    return reply.code(201).send({ ...replyOf(row), secret: webhookSecret(deps.codeSecret, webhookId, 0) });
  });

  app.get('/organizations/:org/webhooks', {
    config: { access: editors },
    schema: {
      operationId: 'listWebhooks',
      tags: TAGS,
      summary: 'The organization’s webhook endpoints, oldest first, without secrets (owner, admin).',
      params: OrgParams,
      response: { 200: WebhookList, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => (await listWebhookEndpoints(deps.db, organizationGrantOf(request).organizationId)).map(replyOf));

  app.get('/webhooks/:id', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      operationId: 'getWebhook',
      tags: TAGS,
      summary: 'One webhook endpoint, without its secret (owner, admin of its organization).',
      params: WebhookParams,
      response: { 200: WebhookReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => replyOf(await authorizedWebhook(deps, request, request.params.id)));

  app.delete('/webhooks/:id', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      operationId: 'deleteWebhook',
      tags: TAGS,
      summary: 'Delete a webhook endpoint: nothing more is delivered to it (owner, admin of its organization).',
      params: WebhookParams,
      response: { 204: Type.Null({ description: 'Deleted.' }), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const row = await authorizedWebhook(deps, request, request.params.id);
    const { position } = await deps.handle(webhookDecider, webhookStream(row.id), { type: 'DeleteWebhook', data: { by: actorRefOf(request), now: deps.now().toISOString() } }, metadataOf(request));
    await awaitVisible(deps, position, ['webhook-endpoints'], row.id, `/api/v1/webhooks/${row.id}`);
    return reply.code(204).send(null);
  });

  app.post('/webhooks/:id/secret', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      operationId: 'rotateWebhookSecret',
      tags: TAGS,
      summary: 'Rotate the signing secret: the new one is in this reply only, and signs every attempt from now on (owner, admin of its organization).',
      params: WebhookParams,
      response: { 200: WithSecret, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const row = await authorizedWebhook(deps, request, request.params.id);
    const rotated = await deps.handle(webhookDecider, webhookStream(row.id), { type: 'RotateWebhookSecret', data: { by: actorRefOf(request), now: deps.now().toISOString() } }, metadataOf(request));
    return { ...replyOf(row), secret: webhookSecret(deps.codeSecret, row.id, rotated.state.endpoint!.rotation) };
  });

  app.get('/webhooks/:id/deliveries', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      operationId: 'listWebhookDeliveries',
      tags: TAGS,
      summary: 'The endpoint’s delivery log, newest first, by cursor (owner, admin of its organization).',
      params: WebhookParams,
      querystring: DeliveryQuery,
      response: { 200: DeliveryPage, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const row = await authorizedWebhook(deps, request, request.params.id);
    const { cursor, limit = 50 } = request.query;
    const rows = await listWebhookDeliveries(deps.db, row.id, limit, cursor === undefined ? undefined : parseCursor(cursor));
    const last = rows.at(-1);
    return { items: rows.map(deliveryOf), next: rows.length === limit && last ? cursorOf(last) : null };
  });
};
