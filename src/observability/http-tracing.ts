// A server span per request, child of the caller's W3C `traceparent` (a
// malformed one is ignored: a new trace, never a refusal), named after the
// route's pattern, and the trace and span ids on every log line of the
// request. With tracing off, a caller's valid trace id is still put on the
// request's log lines, so our logs join the caller's trace.
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_SCHEME } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contextFrom, failed, startSpan, tracingOn } from './tracing.js';

interface ServerSpan {
  readonly span: Span;
  readonly context: Context;
}

const serverSpans = new WeakMap<FastifyRequest, ServerSpan>();

/** The request's server span, while tracing is on. */
export function serverSpanOf(request: FastifyRequest): Span | undefined {
  return serverSpans.get(request)?.span;
}

/** The request's logger and its reply's carry these ids from here on. */
function bindLogs(request: FastifyRequest, reply: FastifyReply, ids: { trace_id: string; span_id?: string }): void {
  request.log = request.log.child(ids);
  reply.log = request.log;
}

/** Registered first on the app, so every hook and route after it runs inside the span. */
export function traceRequests(app: FastifyInstance): void {
  if (!tracingOn()) {
    app.addHook('onRequest', (request, reply, done) => {
      const caller = request.headers.traceparent === undefined ? undefined : trace.getSpanContext(contextFrom(request.headers));
      if (caller) bindLogs(request, reply, { trace_id: caller.traceId });
      done();
    });
    return;
  }

  app.addHook('onRequest', (request, reply, done) => {
    const parent = contextFrom(request.headers);
    // Pattern, not path: one name per route, and no ids or tokens from the URL in the trace.
    const route = request.is404 ? undefined : request.routeOptions.url;
    const span = startSpan(route ? `${request.method} ${route}` : request.method, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_SCHEME]: request.protocol, ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}) },
    }, parent);
    const active = trace.setSpan(parent, span);
    serverSpans.set(request, { span, context: active });
    const { traceId, spanId } = span.spanContext();
    bindLogs(request, reply, { trace_id: traceId, span_id: spanId });
    // `done` runs the next hooks synchronously, so they (and what they await) see the span as active.
    context.with(active, done);
  });
  // The body is read from the socket's events, outside that context: the route's handler gets it back here.
  app.addHook('preHandler', (request, _reply, done) => {
    const server = serverSpans.get(request);
    if (server) context.with(server.context, done);
    else done();
  });
  app.addHook('onError', async (request, _reply, error) => {
    const span = serverSpans.get(request)?.span;
    if (span && (error.statusCode ?? 500) >= 500) failed(span, error);
  });
  app.addHook('onResponse', async (request, reply) => {
    const server = serverSpans.get(request);
    if (!server) return;
    serverSpans.delete(request);
    const status = reply.statusCode;
    server.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // 4xx is the caller's mistake, not a failure of the server (semantic conventions for server spans).
    if (status >= 500) {
      server.span.setAttribute(ATTR_ERROR_TYPE, String(status));
      server.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    server.span.end();
  });
  app.addHook('onRequestAbort', async (request) => {
    const server = serverSpans.get(request);
    if (!server) return;
    serverSpans.delete(request);
    server.span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
    server.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
    server.span.end();
  });
}
