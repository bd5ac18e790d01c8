import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isFamilyActive } from '../auth/refresh-tokens.js';
import { InvalidToken, type AccessKind } from '../auth/tokens.js';
import type { Actor } from '../store/port.js';
import { FORBIDDEN, NOT_AUTHENTICATED } from './errors.js';
import type { Dependencies } from './dependencies.js';

export interface Principal {
  readonly kind: AccessKind;
  readonly id: string;
  readonly sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    /** onRequest hook: 401 without a valid access token, 403 when its session was revoked. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal;
  return principal ? { kind: principal.kind, id: principal.id } : { kind: 'anonymous' };
}

/** The authenticated principal; only call behind `authenticate`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route is missing the authenticate hook');
  return request.principal;
}

export const authentication = fp<{ deps: Dependencies }>(
  async (app, { deps }) => {
    app.decorateRequest('principal', undefined);
    app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization;
      // `Token <access>` is seed 003's spelling of the same header; both carry our access token on every route.
      const match = header ? /^(?:Bearer|Token) ([A-Za-z0-9_\-.]+)$/.exec(header) : null;
      if (!match) return reply.code(401).header('www-authenticate', 'Bearer').send({ detail: NOT_AUTHENTICATED });
      try {
        const claims = await deps.tokens.verifyAccess(match[1]!);
        // Seed 000: an access token of a deleted session is refused with 403.
        if (!(await isFamilyActive(deps.db, claims.sid))) return reply.code(403).send({ detail: FORBIDDEN });
        request.principal = { kind: claims.kind, id: claims.sub, sessionId: claims.sid };
      } catch (error) {
        if (!(error instanceof InvalidToken)) throw error;
        return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ detail: NOT_AUTHENTICATED });
      }
    });
  },
  { name: 'authentication' },
);
