import t from 'tap';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import { traceRequests } from '../../src/observability/http-tracing.js';
import { startTracing, tracingOn } from '../../src/observability/tracing.js';
import { startRuntime, type TestRuntime } from '../helpers/runtime.js';
import { client, clinic, everyDay, rub, specialist } from '../helpers/scheduling.js';
import { until } from '../helpers/waiting.js';
import { uniquePhone } from '../helpers/api-spec.js';

// One booking followed from HTTP to the SMS: the booking request (with a
// caller's W3C traceparent) appends AppointmentBooked, the reminder reactor
// applies it and schedules the reminder job, and the job sends the SMS; all
// of it is one trace, each step a child of the one before. The clock is
// fixed so that the reminder (REMINDER_LEAD_HOURS, 24, before the start) is
// due a second after the booking, as in test/api/scheduling-reminders.test.ts.

const LEAD = 24 * 3_600_000;
const clock = new Date(Date.UTC(2026, 11, 1, 6, 0, 0));
const start = new Date(clock.getTime() + LEAD + 1000).toISOString();
const hours = { time_zone: 'Europe/Moscow', weekly: everyDay([{ start: '00:00', end: '24:00' }]), min_notice_minutes: 0 };
const BOOKING_ROUTE = 'POST /api/v1/organizations/:org/appointments';

interface LogLine {
  msg?: string;
  reqId?: string;
  trace_id?: string;
  span_id?: string;
  to?: string;
  text?: string;
}

const lines = (runtime: TestRuntime) => runtime.logs.map((line) => JSON.parse(line) as LogLine);

/** A caller's trace context: a fresh trace id each time, so traces of other tests never mix in. */
function callerContext() {
  const hex = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(Math.random() * 256))).toString('hex');
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** A clinic with a specialist and a client whose record the clinic books; what a booking needs. */
async function bookingWorld(runtime: TestRuntime, name: string) {
  const c = await clinic(runtime, name);
  const specialistId = await specialist(runtime, c, 'Dr Trace', hours);
  const person = await client(runtime, uniquePhone(), c);
  return { c, specialistId, person };
}

/** The booking, over a real HTTP connection, with the given headers. */
async function bookOverHttp(runtime: TestRuntime, world: Awaited<ReturnType<typeof bookingWorld>>, headers: Record<string, string>) {
  const address = runtime.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/organizations/${world.c.org}/appointments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${world.c.manager.token}`, ...headers },
    body: JSON.stringify({ specialist_id: world.specialistId, client_id: world.person.record, start, duration: 60, cost: rub(300000), service: 'Massage' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string>, requestId: response.headers.get('x-request-id') ?? '' };
}

const reminderTo = (runtime: TestRuntime, phone: string) => lines(runtime).find((l) => l.msg?.startsWith('sms (console provider') && l.to === phone && l.text?.startsWith('Reminder'));

for (const redis of [false, true]) {
  t.test(`one booking is one trace, from the request to the SMS job (${redis ? 'BullMQ' : 'in process'})`, async (t) => {
    const spans = new InMemorySpanExporter();
    const tracing = await startTracing({ exporter: 'none' }, { exporter: spans });
    t.teardown(() => tracing.shutdown());
    const runtime = await startRuntime(t, { redis, now: () => clock });
    await runtime.app.listen({ host: '127.0.0.1', port: 0 });
    const world = await bookingWorld(runtime, `Traced ${redis ? 'BullMQ' : 'in process'}`);

    const caller = callerContext();
    const booked = await bookOverHttp(runtime, world, { traceparent: caller.traceparent, tracestate: 'vendor=opaque' });
    t.equal(booked.status, 201, 'booked');
    const sms = await until(() => reminderTo(runtime, world.person.phone), 15_000, 'the reminder SMS');
    const inTrace = () => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === caller.traceId);
    const job = await until(() => inTrace().find((s) => s.name === 'job appointment-reminder'), 15_000, 'the job span to end');
    const trace = inTrace();
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan | undefined) => byId.get(span?.parentSpanContext?.spanId ?? '');

    const server = trace.find((s) => s.kind === SpanKind.SERVER);
    t.equal(server?.name, BOOKING_ROUTE, 'the server span is named after the route');
    t.equal(server?.parentSpanContext?.spanId, caller.spanId, 'its parent is the caller\'s span');
    t.equal(server?.parentSpanContext?.isRemote, true);
    t.match(server?.attributes, { 'http.request.method': 'POST', 'http.route': '/api/v1/organizations/:org/appointments', 'http.response.status_code': 201 });
    t.equal(server?.status.code, SpanStatusCode.UNSET, 'a 201 is no error');
    t.notMatch(JSON.stringify(server?.attributes), world.c.org, 'the route\'s pattern, not its path: no ids in the span');

    const append = trace.find((s) => s.name === 'event store append' && (s.attributes['event_store.event_types'] as string[]).includes('AppointmentBooked'));
    t.equal(parentOf(append), server, 'AppointmentBooked is appended inside the request\'s span');
    const reactor = parentOf(job);
    t.equal(reactor?.name, 'apply reactor-appointment-reminders', 'the job was enqueued by the reminder reactor, inside its span');
    t.match(reactor?.attributes, { 'projection.name': 'reactor-appointment-reminders', 'event_store.event_types': ['AppointmentBooked'] });
    t.equal(parentOf(reactor), server, 'the reactor continues the trace the event carries');
    t.match(job.attributes, { 'job.name': 'appointment-reminder', 'job.attempt': 1 });
    t.equal(sms.trace_id, caller.traceId, 'the SMS was sent in this trace');
    t.equal(sms.span_id, job.spanContext().spanId, 'inside the job\'s span');
    t.equal(parentOf(trace.find((s) => s.name === 'apply appointments')), server, 'the read model the reply waited for applied the booking in this trace too');

    const events = await runtime.store.readStream(`appointment-${booked.body.id}`);
    t.equal(events[0]?.type, 'AppointmentBooked');
    t.equal(events[0]?.metadata.traceparent, `00-${caller.traceId}-${server?.spanContext().spanId}-01`, 'the event keeps the request\'s trace context, as stored');

    const requestLines = lines(runtime).filter((l) => l.reqId === booked.requestId);
    t.ok(requestLines.some((l) => l.msg === 'request completed'), 'the request was logged');
    t.same(requestLines.filter((l) => l.trace_id !== caller.traceId || l.span_id !== server?.spanContext().spanId), [], 'every line of the request carries its trace and span ids');
  });
}

t.test('a malformed traceparent is ignored: a new trace, never a refusal', async (t) => {
  const spans = new InMemorySpanExporter();
  const tracing = await startTracing({ exporter: 'none' }, { exporter: spans });
  t.teardown(() => tracing.shutdown());
  const runtime = await startRuntime(t);
  const malformed = [
    'garbage',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-0AF7651916CD43DD8448EB211C80319G-b7ad6b7169203331-01',
    `00-${'a'.repeat(5000)}`,
  ];
  for (const traceparent of malformed) {
    spans.reset();
    const reply = await runtime.app.inject({ method: 'GET', url: '/health/live', headers: { traceparent, tracestate: '===' } });
    t.equal(reply.statusCode, 200, `answered despite ${traceparent.slice(0, 60)}`);
    const server = await until(() => spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER), 5000, 'the server span');
    t.equal(server.parentSpanContext, undefined, 'a root span: the header was not believed');
    t.notOk(traceparent.includes(server.spanContext().traceId), 'in a trace of its own');
  }
  t.notOk(runtime.logs.some((l) => /"level":(50|60)/.test(l)), 'nothing was logged as an error');
});

t.test('a failing request\'s span says so; a refused one does not', async (t) => {
  const spans = new InMemorySpanExporter();
  const tracing = await startTracing({ exporter: 'none' }, { exporter: spans });
  t.teardown(() => tracing.shutdown());
  const runtime = await startRuntime(t);
  const unknown = await runtime.app.inject({ method: 'GET', url: '/api/v1/organizations/0c3b0c52-7d55-4b8e-9b85-1a1e3c3f2f10/appointments' });
  t.equal(unknown.statusCode, 401);
  const refused = await until(() => spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER), 5000, 'the server span');
  t.equal(refused.status.code, SpanStatusCode.UNSET, 'a 4xx is the caller\'s, not a server error');
  t.equal(refused.attributes['http.response.status_code'], 401);
  t.equal(refused.name, 'GET /api/v1/organizations/:org/appointments');


  // A route that fails (a bug): 500, which is a server error.
  const app = Fastify();
  traceRequests(app);
  app.get('/broken/:id', async () => {
    throw new Error('a bug');
  });
  t.teardown(() => app.close());
  spans.reset();
  const failing = await app.inject({ method: 'GET', url: '/broken/1' });
  t.equal(failing.statusCode, 500);
  const span = await until(() => spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER), 5000, 'the server span');
  t.equal(span.name, 'GET /broken/:id');
  t.equal(span.status.code, SpanStatusCode.ERROR, 'a 5xx is an error');
  t.equal(span.attributes['error.type'], '500');
  t.match(span.events, [{ name: 'exception', attributes: { 'exception.message': 'a bug' } }], 'with the exception');
});

t.test('with tracing off: no spans, no errors, and a caller\'s trace id still on the request\'s log lines', async (t) => {
  t.notOk(tracingOn(), 'tracing is off');
  const runtime = await startRuntime(t, { now: () => clock });
  await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  const world = await bookingWorld(runtime, 'Untraced');
  const caller = callerContext();
  const booked = await bookOverHttp(runtime, world, { traceparent: caller.traceparent });
  t.equal(booked.status, 201, 'booked');
  const sms = await until(() => reminderTo(runtime, world.person.phone), 15_000, 'the reminder SMS');
  t.equal(sms.trace_id, undefined, 'lines outside a request carry no trace id');
  const events = await runtime.store.readStream(`appointment-${booked.body.id}`);
  t.equal(events[0]?.metadata.traceparent, undefined, 'events carry no trace context');
  const requestLines = lines(runtime).filter((l) => l.reqId === booked.requestId);
  t.ok(requestLines.length > 0);
  t.same(requestLines.filter((l) => l.trace_id !== caller.traceId || l.span_id !== undefined), [], 'the caller\'s trace id, no span id of ours');
  const plain = await runtime.app.inject({ method: 'GET', url: '/health/live', headers: { traceparent: 'garbage' } });
  t.equal(plain.statusCode, 200, 'a malformed traceparent is ignored');
  t.notOk(runtime.logs.some((l) => /"level":(50|60)/.test(l)), 'nothing was logged as an error');
});
