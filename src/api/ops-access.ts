import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

// Operations endpoints (/health/ready, /metrics) tell an operator why
// something is down: SQL errors, a projection's last error, queue sizes.
// That is for whoever holds OPS_TOKEN; everyone else learns up or down.

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when the request carries `Authorization: Bearer <OPS_TOKEN>`; never when no token is configured. */
export function holdsOpsToken(request: FastifyRequest, opsToken: string | undefined): boolean {
  if (opsToken === undefined) return false;
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first wrong byte.
  return match !== null && timingSafeEqual(digest(match[1]!), digest(opsToken));
}
