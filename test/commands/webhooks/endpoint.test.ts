import t from 'tap';
import { urlErrors, webhookDecider, type WebhookCommand } from '../../../src/commands/webhooks/endpoint.js';
import type { WebhookEvent } from '../../../src/events/webhooks/endpoint.js';
import { specification } from '../spec.js';

// Every command of a webhook endpoint's stream (`webhook-{id}`), given/when/then,
// and the URL's own rules.

const webhookId = '1b6f1d3e-4d1c-4c55-9a3e-2f3c1d9a7b10';
const organizationId = '9d7a4f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const by = { kind: 'user', id: '6c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' };
const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:10:00.000Z';
const ids = { webhookId, organizationId };
const url = 'https://hooks.example.com/booking';

const register = (eventTypes: string[] = ['appointment.booked']): WebhookCommand => ({ type: 'RegisterWebhook', data: { ...ids, url, eventTypes, description: '', by, now: t0 } });
const rotate: WebhookCommand = { type: 'RotateWebhookSecret', data: { by, now: t1 } };
const remove: WebhookCommand = { type: 'DeleteWebhook', data: { by, now: t1 } };

const registered: WebhookEvent = { type: 'WebhookRegistered', data: { ...ids, url, eventTypes: ['appointment.booked'], description: '', registeredBy: by, registeredAt: t0 } };
const rotated = (rotation: number): WebhookEvent => ({ type: 'WebhookSecretRotated', data: { ...ids, rotation, rotatedBy: by, rotatedAt: t1 } });
const deleted: WebhookEvent = { type: 'WebhookDeleted', data: { ...ids, deletedBy: by, deletedAt: t1 } };

t.test('RegisterWebhook', async (t) => {
  t.test('an endpoint is registered for its event types, with no secret in the event', async (t) => {
    specification(t)(webhookDecider, []).when(register()).then([registered]);
  });
  t.test('once: conflict', async (t) => {
    specification(t)(webhookDecider, [registered]).when(register()).thenThrows('conflict');
  });
  t.test('no event type, an unknown one, or one twice: invalid', async (t) => {
    specification(t)(webhookDecider, []).when(register([])).thenThrows('invalid');
    specification(t)(webhookDecider, []).when(register(['appointment.deleted'])).thenThrows('invalid');
    specification(t)(webhookDecider, []).when(register(['client.created', 'client.created'])).thenThrows('invalid');
  });
});

t.test('RotateWebhookSecret', async (t) => {
  t.test('each rotation counts one more', async (t) => {
    specification(t)(webhookDecider, [registered]).when(rotate).then([rotated(1)]);
    specification(t)(webhookDecider, [registered, rotated(1)]).when(rotate).then([rotated(2)]);
  });
  t.test('of nothing, or of a deleted endpoint: not found', async (t) => {
    specification(t)(webhookDecider, []).when(rotate).thenThrows('not_found');
    specification(t)(webhookDecider, [registered, deleted]).when(rotate).thenThrows('not_found');
  });
});

t.test('DeleteWebhook', async (t) => {
  t.test('deleted once; again changes nothing', async (t) => {
    specification(t)(webhookDecider, [registered]).when(remove).then([deleted]);
    specification(t)(webhookDecider, [registered, deleted]).when(remove).then([]);
  });
  t.test('of nothing: not found', async (t) => {
    specification(t)(webhookDecider, []).when(remove).thenThrows('not_found');
  });
});

t.test('the URL: absolute, https (http only where private networks are allowed), no credentials, no fragment', async (t) => {
  t.same(urlErrors('https://hooks.example.com/a?b=c', false), []);
  t.same(urlErrors('http://127.0.0.1:8080/hook', true), [], 'http where private networks are allowed');
  t.equal(urlErrors('http://hooks.example.com/', false).length, 1, 'http');
  t.equal(urlErrors('ftp://hooks.example.com/', true).length, 1, 'another scheme');
  t.equal(urlErrors('/relative', false).length, 1, 'relative');
  t.equal(urlErrors('https://u:p@hooks.example.com/', false).length, 1, 'credentials');
  t.equal(urlErrors('https://hooks.example.com/#x', false).length, 1, 'a fragment');
  t.equal(urlErrors(`https://hooks.example.com/${'a'.repeat(2100)}`, false).length, 1, 'too long');
});
