import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

// A feed's URL carries a random token (32 bytes, base64url: 43 characters).
// Only its SHA-256 is kept (in the event and the read model), so neither the
// log nor a copy of the database gives the URL back; a lost URL is revoked
// and a new feed made.

export const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const newFeedToken = (): string => randomBytes(32).toString('base64url');

export const feedTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Where feeds are served: PUBLIC_URL when set, else this request's protocol and host (forwarded ones only from trusted proxies, TRUST_PROXY). */
export function feedUrl(request: FastifyRequest, publicUrl: string | undefined, token: string): string {
  const base = publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base.replace(/\/+$/, '')}/calendar/${token}.ics`;
}

/** The path of a feed with its token hidden, for log lines: the token is the whole secret. */
export const redactedFeedPath = (url: string): string => url.replace(/^\/calendar\/[^/?#]*/, '/calendar/[redacted].ics');
