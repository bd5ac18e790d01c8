import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import t, { type Test } from 'tap';
import { webhookDecider } from '../../src/commands/webhooks/endpoint.js';
import { addDays } from '../../src/commands/scheduling/zoned-time.js';
import { webhookStream } from '../../src/events/webhooks/endpoint.js';
import { webhookDeliveriesTotal } from '../../src/workflows/webhooks/metrics.js';
import { call, startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { book, clinic, everyDay, recordOf, specialist } from '../helpers/scheduling.js';
import { uniquePhone } from '../helpers/api-spec.js';
import { until } from '../helpers/waiting.js';

// Deliveries end to end: a real receiver (node:http on 127.0.0.1, so the
// runtime allows private networks) gets the events of the organization's
// subscribed types that were recorded after the endpoint, signed as the
// Standard Webhooks specification says; the receiver verifies them with the
// `standardwebhooks` package, independent of our signing code. A receiver
// answering 500 is tried again; the delivery log shows each attempt. With
// private networks refused, a host that resolves to loopback at send time is
// never connected to.

interface Received {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A receiver that records every request; `answer` picks the status of each (by path and how many came to it before). */
async function receiver(t: Test, answer: (path: string, seen: number) => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const seen = received.filter((r) => r.path === path).length;
      const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      received.push({ path, headers, body: Buffer.concat(chunks).toString() });
      response.statusCode = answer(path, seen);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { received, port: (server.address() as AddressInfo).port };
}

const hours = { time_zone: 'UTC', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 };
const day = addDays(new Date().toISOString().slice(0, 10), 3);
let hour = 8;
const nextStart = () => `${day}T${String(hour++).padStart(2, '0')}:00:00.000Z`;

/** Nothing waits or runs in the queue (delayed retries aside). */
const settled = (runtime: TestRuntime) =>
  until(async () => {
    const counts = await runtime.jobs.counts();
    return counts.waiting + counts.active === 0 ? true : undefined;
  }, 30_000, 'the job queue to settle');

const outcomes = async () => Object.fromEntries((await webhookDeliveriesTotal.get()).values.map((v) => [String(v.labels.outcome), v.value]));

t.test('deliveries to a real receiver, verified with the Standard Webhooks algorithm', async (t) => {
  const { received, port } = await receiver(t, (path, seen) => (path === '/flaky' && seen === 0 ? 500 : 200));
  const runtime = await startRuntime(t, { env: { WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true', JOB_BACKOFF_MS: '50' } });
  const { app } = runtime;
  const a = await clinic(runtime, 'Receiving');
  const b = await clinic(runtime, 'Other');
  const doctorA = await specialist(runtime, a, 'Dr A', hours);
  const doctorB = await specialist(runtime, b, 'Dr B', hours);
  const recordA = await recordOf(runtime, a, uniquePhone(), 'Alice');
  const recordB = await recordOf(runtime, b, uniquePhone(), 'Bob');
  const booked = async (clinicOf: typeof a, doctor: string, record: string) => {
    const reply = await book(runtime, clinicOf.org, clinicOf.manager.token, { specialist_id: doctor, client_id: record, start: nextStart() });
    if (reply.status !== 201) throw new Error(`booking: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.id as string;
  };

  // Recorded before any endpoint existed: never delivered.
  const before = await booked(a, doctorA, recordA);

  const register = (path: string, eventTypes: string[]) =>
    call(app, 'POST', `/api/v1/organizations/${a.org}/webhooks`, { token: a.owner.token, body: { url: `http://127.0.0.1:${port}${path}`, event_types: eventTypes } });
  const hook = await register('/hook', ['appointment.booked', 'appointment.cancelled']);
  t.equal(hook.status, 201, JSON.stringify(hook.body));
  const verifier = new Webhook(hook.body.secret as string);
  const at = (path: string) => received.filter((r) => r.path === path);
  const verified = (r: Received) => verifier.verify(r.body, r.headers) as { type: string; timestamp: string; data: Record<string, unknown> };

  t.test('a booking over HTTP is delivered once, signed, and the receiver verifies it', async (t) => {
    // Another organization's booking first: in the log before ours, so by the time ours arrives it was passed over.
    const foreign = await booked(b, doctorB, recordB);
    const appointment = await booked(a, doctorA, recordA);
    const delivery = await until(() => at('/hook').find((r) => r.body.includes(appointment)), 30_000, 'the booking delivered');
    const payload = verified(delivery);
    t.equal(payload.type, 'appointment.booked');
    t.ok(!Number.isNaN(Date.parse(payload.timestamp)), 'a timestamp');
    t.match(payload.data, { appointment_id: appointment, organization_id: a.org, specialist_id: doctorA, client_id: recordA, status: 'pending', start: String, end: String });
    t.match(delivery.headers['webhook-id'], /^msg_/);
    t.match(delivery.headers['webhook-timestamp'], /^\d+$/);
    t.match(delivery.headers['webhook-signature'], /^v1,/);
    t.equal(delivery.headers['content-type'], 'application/json');
    t.notOk(/Alice|\+7\d{6}/.test(delivery.body), 'no name and no phone in the payload');

    const forged = { ...delivery.headers, 'webhook-signature': 'v1,' + Buffer.alloc(32).toString('base64') };
    t.throws(() => verifier.verify(delivery.body, forged), 'a wrong signature does not verify');
    t.throws(() => verifier.verify(delivery.body.replace(appointment, randomUUID()), delivery.headers), 'nor a changed body');

    await settled(runtime);
    t.same(at('/hook').filter((r) => r.body.includes(appointment)).length, 1, 'exactly once');
    t.notOk(received.some((r) => r.body.includes(before)), 'the booking made before the endpoint existed is not delivered');
    t.notOk(received.some((r) => r.body.includes(foreign) || r.body.includes(b.org)), 'nor another organization’s booking');

    const cancelled = await call(app, 'POST', `/api/v1/appointments/${appointment}/cancel`, { token: a.manager.token, body: { reason: 'the client is ill' } });
    t.equal(cancelled.status, 200);
    const cancel = await until(() => at('/hook').find((r) => verified(r).type === 'appointment.cancelled'), 30_000, 'the cancel delivered');
    t.match(verified(cancel).data, { appointment_id: appointment, status: 'cancelled' });
    t.notOk(cancel.body.includes('ill'), 'the free-text reason is not sent');

    const log = await call(app, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries`, { token: a.owner.token });
    t.equal(log.status, 200);
    t.match(log.body.items, [
      { event_type: 'appointment.cancelled', status: 'delivered', attempts: 1, last_status_code: 200, last_error: null },
      { event_type: 'appointment.booked', status: 'delivered', attempts: 1, last_status_code: 200, id: delivery.headers['webhook-id'] },
    ], 'newest first');
    const first = await call(app, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries?limit=1`, { token: a.owner.token });
    t.equal(first.body.items.length, 1);
    const second = await call(app, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries?limit=1&cursor=${first.body.next}`, { token: a.owner.token });
    t.equal(second.body.items[0]?.id, log.body.items[1].id, 'the cursor gives the next page');
  });

  t.test('a receiver answering 500 gets the same delivery again, and the log shows both attempts', async (t) => {
    const flaky = await register('/flaky', ['client.created']);
    t.equal(flaky.status, 201);
    const flakyVerifier = new Webhook(flaky.body.secret as string);
    const record = await recordOf(runtime, a, uniquePhone(), 'Carol');
    const attempts = await until(() => (at('/flaky').length >= 2 ? at('/flaky') : undefined), 30_000, 'two attempts');
    t.equal(attempts[0]!.headers['webhook-id'], attempts[1]!.headers['webhook-id'], 'one delivery id for both attempts');
    t.equal(attempts[0]!.body, attempts[1]!.body, 'the same body');
    for (const attempt of attempts) t.match(flakyVerifier.verify(attempt.body, attempt.headers), { type: 'client.created', data: { client_id: record, organization_id: a.org } });
    t.notOk(attempts[0]!.body.includes('Carol'), 'no name');
    const log = await until(async () => {
      const page = await call(app, 'GET', `/api/v1/webhooks/${flaky.body.id}/deliveries`, { token: a.owner.token });
      return page.body.items[0]?.status === 'delivered' ? page.body : undefined;
    }, 30_000, 'the log to say delivered');
    t.match(log.items[0], { event_type: 'client.created', status: 'delivered', attempts: 2, last_status_code: 200, last_error: null, next_attempt_at: null, delivered_at: String });
    t.ok(at('/hook').every((r) => !r.body.includes(record)), 'the other endpoint did not subscribe to client.created');
    const counted = await outcomes();
    t.ok((counted.retrying ?? 0) >= 1 && (counted.delivered ?? 0) >= 3, `webhook_deliveries_total counts them: ${JSON.stringify(counted)}`);
  });

  t.test('a deleted endpoint is sent nothing more', async (t) => {
    const removed = await register('/removed', ['appointment.booked']);
    t.equal((await call(app, 'DELETE', `/api/v1/webhooks/${removed.body.id}`, { token: a.owner.token })).status, 204);
    const appointment = await booked(a, doctorA, recordA);
    await until(() => at('/hook').find((r) => r.body.includes(appointment)), 30_000, 'the booking delivered to the remaining endpoint');
    await settled(runtime);
    t.same(at('/removed'), []);
  });
});

t.test('private networks refused: a host that resolves to loopback at send time is never connected to', async (t) => {
  const { received, port } = await receiver(t);
  const runtime = await startRuntime(t, { env: { JOB_BACKOFF_MS: '50' } });
  const a = await clinic(runtime, 'Rebound');
  // Given an endpoint whose host resolves inside only now (registration would refuse it: test/api/webhooks.test.ts),
  // written on its stream as a registration that passed its check would be.
  const webhookId = randomUUID();
  const metadata = { actor: { kind: 'system' as const }, correlationId: randomUUID(), causationId: randomUUID() };
  const data = { webhookId, organizationId: a.org, url: `http://localhost:${port}/inside`, eventTypes: ['client.created'], description: '', by: { kind: 'system' }, now: new Date().toISOString() };
  await runtime.deps.handle(webhookDecider, webhookStream(webhookId), { type: 'RegisterWebhook', data }, metadata);
  const refusedBefore = (await outcomes()).refused ?? 0;

  await recordOf(runtime, a, uniquePhone());
  const page = await until(async () => {
    const reply = await call(runtime.app, 'GET', `/api/v1/webhooks/${webhookId}/deliveries`, { token: a.owner.token });
    return reply.body.items?.[0]?.status === 'failed' ? reply.body : undefined;
  }, 30_000, 'the delivery to fail');
  t.match(page.items[0], { event_type: 'client.created', status: 'failed', attempts: 1, last_status_code: null, last_error: /loopback/ });
  t.notOk(page.items[0].last_error.includes(String(port)), 'the error names no URL');
  await settled(runtime);
  t.same(received, [], 'the receiver on this host got nothing');
  t.equal((await outcomes()).refused, refusedBefore + 1, 'counted as refused');
});
