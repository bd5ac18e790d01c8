import type { FastifyRequest } from 'fastify';
import type { EventMetadata } from '../store/port.js';
import { actorOf } from './authenticate.js';
import { serverSpanOf } from '../observability/http-tracing.js';
import { traceparentOf } from '../observability/tracing.js';

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Who is acting and why: stamped on every event a request appends. */
export function metadataOf(request: FastifyRequest): EventMetadata {
  const header = request.headers[CORRELATION_HEADER];
  const correlationId = typeof header === 'string' && SAFE_ID.test(header) ? header : request.id;
  const metadata: EventMetadata = { actor: actorOf(request), correlationId, causationId: request.id, requestId: request.id };
  // Tracing on: projectors, reactors and their jobs continue the request's trace from the event.
  const span = serverSpanOf(request);
  const traceparent = span ? traceparentOf(span.spanContext()) : undefined;
  return traceparent ? { ...metadata, traceparent } : metadata;
}
