import type { FastifyRequest } from 'fastify';
import type { EventMetadata } from '../store/port.js';
import { actorOf } from './authenticate.js';

const CORRELATION_HEADER = 'x-correlation-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Who is acting and why: stamped on every event a request appends. */
export function metadataOf(request: FastifyRequest): EventMetadata {
  const header = request.headers[CORRELATION_HEADER];
  const correlationId = typeof header === 'string' && SAFE_ID.test(header) ? header : request.id;
  return { actor: actorOf(request), correlationId, causationId: request.id, requestId: request.id };
}
