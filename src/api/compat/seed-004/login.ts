import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import { expiresIn } from '../../identity/codes.js';
import { sendLoginCode, signInWithLoginCode } from '../../identity/sessions.js';
import { guessLimit } from '../../rate-limits.js';
import { Phone } from '../../schemas.js';
import type { Dependencies } from '../../dependencies.js';
import { codeText, errorBodies, SeedCode } from './flask.js';
import { loginRequestId, pendingLoginPhone } from './login-request.js';

// Seed 004's passwordless login (POST /auth/login/code and /auth/login/verify):
// the same answer for any phone, so the form tells strangers nothing of who is
// a client (the seed's 404 "User does not exist" is not given); `user_id` is
// the login request's handle (login-request.ts), never the account's id.

export const LOGIN_PENDING = 'User already have a request for login';
export const LOGIN_FIRST = 'login first';

export const loginRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.post('/login/', {
    config: { access: { kind: 'public' } },
    schema: {
      summary: 'An SMS login code to a verified phone; the same answer for any phone (public). 429 with Retry-After within the cooldown.',
      body: Type.Object({ phone: Phone }),
      response: {
        200: Type.Object({
          expire_time: Type.String({ description: 'Seconds the code stays valid.' }),
          message: Type.String(),
          user_id: Type.String({ description: 'This login request, for login/verify/: not an account id.' }),
        }),
        ...errorBodies(400),
        429: Type.Object({ message: Type.String() }),
      },
    },
  }, async (request, reply) => {
    const phone = deps.normalizePhone(request.body.phone)!;
    const now = deps.now();
    try {
      await sendLoginCode(deps, request, phone, LOGIN_PENDING);
    } catch (error) {
      // The seed words this 429 as a message, not an error.
      if (!(error instanceof DomainError && error.kind === 'too_many_requests')) throw error;
      return reply.code(429).header('retry-after', String(error.retryAfterSeconds)).send({ message: error.message });
    }
    return { expire_time: String(expiresIn), message: 'Code Send to user', user_id: loginRequestId(deps.codeSecret, phone, now) };
  });

  app.post('/login/verify/', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'The login code and the user_id from login/ for an access and a refresh token (public); "login first" for a user_id this server did not give or that expired.',
      body: Type.Object({ code: SeedCode, user_id: Type.String({ minLength: 1, maxLength: 100 }) }),
      response: {
        200: Type.Object({ access_token: Type.String(), refresh_token: Type.String(), expires_in: Type.Integer({ description: 'Seconds until the access token expires.' }) }),
        ...errorBodies(400, 429),
      },
    },
  }, async (request) => {
    const phone = pendingLoginPhone(deps.codeSecret, request.body.user_id, deps.now());
    // Decided by the handle alone, never by what was sent: a known and an unknown phone answer alike.
    if (phone === undefined) throw new DomainError('invalid', LOGIN_FIRST);
    const session = await signInWithLoginCode(deps, phone, codeText(request.body.code));
    return { access_token: session.access, refresh_token: session.refresh, expires_in: session.expires_in };
  });
};
