import Type from 'typebox';
import type { SessionTokens } from '../../../auth/sessions.js';
import { DomainError } from '../../../commands/errors.js';
import type { Dependencies, Routes } from '../../dependencies.js';
import { BAD_CREDENTIALS, passwordLogin, refreshSession } from '../../identity/sessions.js';
import { registerStaff } from '../../identity/users.js';
import { guessLimit } from '../../rate-limits.js';
import { Email, FreeText, Name, Password, Phone } from '../../schemas.js';
import { UserReply, userReply } from './replies.js';
import { drfReplies } from '../drf.js';
import { named } from '../../openapi/components.js';

// Seed 003's registration and tokens: /api/v1's staff registration, password
// login (with its per-login lockout) and refresh rotation, in the seed's words.

const Registration = Type.Object({
  surname: Type.Optional(Name),
  name: Type.Optional(Name),
  patronymic: Type.Optional(Name),
  address: Type.Optional(FreeText),
  email: Email,
  number: Type.Optional(Phone),
  password: Password,
});

const SeedTokens = named('Seed003Tokens', Type.Object({
  refresh: Type.String(),
  access: Type.String(),
  expired_at: Type.Integer({ description: 'When the access token expires: Unix time in seconds.' }),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires.' }),
}, { description: 'Seed 003: an access and a refresh token.' }));

/** djangorestframework-simplejwt's words for a failed login, which seed 003's clients were written against. */
const SIMPLEJWT_BAD_CREDENTIALS = 'No active account found with the given credentials';

export const authRoutes: Routes = async (app, { deps }) => {
  const withExpiry = (tokens: SessionTokens) => ({ ...tokens, expired_at: Math.floor(deps.now().getTime() / 1000) + tokens.expires_in });

  app.post('/auth/registration/', {
    config: { access: { kind: 'public' } },
    schema: {
      summary: 'A staff member registers (public), as POST /api/v1/users; 409 only for an email or number someone else has confirmed.',
      body: Registration,
      response: { 201: UserReply, ...drfReplies(400, 409, 415) },
    },
  }, async (request, reply) => {
    const { surname, name, patronymic, address, email, number, password } = request.body;
    const row = await registerStaff(deps, request, { email, password, phone: number, firstName: name, lastName: surname, patronymic, address });
    return reply.code(201).send(userReply(row));
  });

  app.post('/auth/token/', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'Email or number and password for an access and a refresh token (public), as POST /api/v1/auth/token.',
      body: Type.Object({ email: Type.Optional(Email), number: Type.Optional(Phone), password: Type.String({ minLength: 1, maxLength: 128 }) }),
      response: { 200: SeedTokens, ...drfReplies(400, 401, 415, 429) },
    },
  }, async (request) => withExpiry(await login(deps, request.body)));

  app.post('/auth/token/refresh', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'A refresh token for a new access and refresh token (public); a reused one ends its session, as POST /api/v1/auth/token/refresh.',
      body: Type.Object({ refresh: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 200: SeedTokens, ...drfReplies(400, 401, 415, 429) },
    },
  }, async (request) => withExpiry(await refreshSession(deps, request, request.body.refresh)));
};

async function login(deps: Dependencies, body: { email?: string | undefined; number?: string | undefined; password: string }): Promise<SessionTokens> {
  try {
    return await passwordLogin(deps, { email: body.email, phone: body.number, password: body.password });
  } catch (error) {
    if (error instanceof DomainError && error.message === BAD_CREDENTIALS) throw new DomainError('unauthenticated', SIMPLEJWT_BAD_CREDENTIALS);
    if (error instanceof DomainError && error.fields?.phone) throw new DomainError('invalid', error.message, { email: ['Give an email or a number.'], number: ['Give an email or a number.'] });
    throw error;
  }
}
