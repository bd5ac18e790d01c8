import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import { passwordLogin } from '../../identity/sessions.js';
import { guessLimit } from '../../rate-limits.js';
import type { Routes } from '../../dependencies.js';
import { drfReplies } from '../drf.js';

// Seed 002's login (simplejwt's TokenObtainPairView): `username` and
// `password` as form data, for our access and refresh tokens. The form
// parsers live in this module's scope only: every other route of the
// project takes JSON.

/** simplejwt's words for any refused login. */
const NO_ACTIVE_ACCOUNT = 'No active account found with the given credentials';

const LoginForm = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 254, description: 'A staff email or phone, or a client’s verified phone.' }),
  password: Type.String({ minLength: 1, maxLength: 128 }),
});

/** A username as /api/v1's login reads it: an email, else a phone; anything else is tried as an email, which opens nothing. */
function loginOf(username: string, normalizePhone: (input: string) => string | undefined): { phone: string } | { email: string } {
  const phone = username.includes('@') ? undefined : normalizePhone(username);
  return phone ? { phone } : { email: username.trim().toLowerCase() };
}

/**
 * The fields of a multipart form, the last of a repeated name winning as in
 * Django. A form the parser cannot read (truncated, a broken part header) is
 * the sender's: a 400, where the parser's own error would be a 500.
 */
async function formFields(request: FastifyRequest): Promise<Record<string, unknown>> {
  // The parser refuses names of Object.prototype (400), so a plain object is safe.
  const fields: Record<string, unknown> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') fields[part.fieldname] = part.value;
      else part.file.resume();
    }
  } catch (error) {
    if (typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
    request.log.info({ err: error }, 'unreadable multipart form');
    throw new DomainError('invalid', 'The form data could not be read.');
  }
  return fields;
}

export const loginRoutes: Routes = async (app, { deps }) => {
  await app.register(formbody, { bodyLimit: 4096 });
  // Fields only, as the seed sends them: a file part is refused (413).
  await app.register(multipart, { limits: { files: 0, fields: 4, fieldSize: 1024, parts: 4 } });
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart()) request.body = await formFields(request);
  });

  app.post('/workers/login/', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'Username (email or phone) and password, as form data or JSON, for a refresh and an access token (public; seed 002).',
      consumes: ['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json'],
      body: LoginForm,
      response: {
        200: Type.Object({ refresh: Type.String(), access: Type.String(), expires_in: Type.Integer() }),
        ...drfReplies(400, 401, 413, 415, 429),
      },
    },
  }, async (request) => {
    try {
      // The one password login: the same candidates, lockout and sessions as POST /api/v1/auth/token.
      return await passwordLogin(deps, { ...loginOf(request.body.username, deps.normalizePhone), password: request.body.password });
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'unauthenticated') throw new DomainError('unauthenticated', NO_ACTIVE_ACCOUNT);
      throw error;
    }
  });
};
