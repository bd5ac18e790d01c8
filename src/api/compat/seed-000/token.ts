import type { FastifyError } from 'fastify';
import Type from 'typebox';
import type { Routes } from '../../dependencies.js';
import { errorAnswer } from '../../errors.js';
import { passwordLogin } from '../../identity/sessions.js';
import { guessLimit } from '../../rate-limits.js';
import { Phone } from '../../schemas.js';
import { drfErrors, drfReplies } from '../drf.js';
import { named } from '../../openapi/components.js';

// Seed 000's client login: POST /api/v1/auth/token's password login (its
// throttle, lockout and the verified phone it requires), answered as
// `{token}`. The seed gives anything wrong one answer, 400 `{}`, so a
// missing field, a wrong password and an unknown phone look the same.

const Token = named('Seed000Token', Type.Object({
  token: Type.String({ description: 'An access token, valid on every profile and on /api/v1.' }),
  refresh: Type.String({ description: 'Beside the seed’s token: for POST /api/v1/auth/token/refresh.' }),
  expires_in: Type.Integer({ description: 'Seconds until the token expires.' }),
}, { description: 'Seed 000: an access token.' }));

export const tokenRoutes: Routes = async (app, { deps }) => {
  app.post('/auth/token/', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'A verified phone and its password for an access token; anything wrong is 400 `{}` (public).',
      body: Type.Object({ phone: Phone, password: Type.String({ minLength: 1, maxLength: 128 }) }),
      response: { 200: Token, 400: Type.Object({}, { description: 'Anything wrong with the request or the credentials.' }), ...drfReplies(415, 429) },
    },
    // Over the profile's error format: only the 400s and the wrong credentials (401 on /api/v1) become the seed's `{}`; 429 and 503 stay.
    errorHandler: (error: FastifyError, request, reply) => {
      const answer = errorAnswer(error, request);
      if (answer.status === 400 || answer.cause === 'unauthenticated') return reply.code(400).send({});
      const { status, body } = drfErrors(answer, request);
      // The typed reply knows only 200 and 400; the profile's format gives any other status.
      return reply.code(status as 400).headers(answer.headers).send(body as object);
    },
  }, async (request) => {
    const session = await passwordLogin(deps, { phone: request.body.phone, password: request.body.password });
    return { token: session.access, refresh: session.refresh, expires_in: session.expires_in };
  });
};
