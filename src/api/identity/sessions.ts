import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { getPasswordHash, type Subject } from '../../auth/credentials.js';
import { loginAccount, throttled } from '../../auth/login-throttle.js';
import { dummyVerify, verifyPassword } from '../../auth/passwords.js';
import { InvalidRefreshToken, revokeFamily, rotateRefresh } from '../../auth/refresh-tokens.js';
import { startSession, type SessionTokens } from '../../auth/sessions.js';
import { clientDecider, registered } from '../../commands/clients/client.js';
import { DomainError, tooManyRequests } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { clientStream } from '../../events/clients/client.js';
import { findAccountIdByVerifiedPhone } from '../../projections/clients/client-accounts.js';
import { staffLoginCandidates } from '../../projections/identity/users.js';
import { principalOf } from '../authenticate.js';
import { claimOrThrow, Code, expectCode, expiresIn, rejectCode } from './codes.js';
import { metadataOf } from '../metadata.js';
import { guessLimit } from '../rate-limits.js';
import { Email, errorReplies, Phone, Tokens } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// Sessions: password and passwordless login, refresh rotation, logout
// (seeds 000, 002, 003, 004; RFC 9700 for refresh tokens).

export const BAD_CREDENTIALS = 'No active account found with the given credentials.';
const BAD_REFRESH = 'Token is invalid or expired.';

const TokenBody = Type.Object(
  { phone: Type.Optional(Phone), email: Type.Optional(Email), password: Type.String({ minLength: 1, maxLength: 128 }) },
  {
    description: 'Either phone or email, and the password.',
    examples: [{ phone: '+79517586284', password: 'correct horse battery' }, { email: 'anna.petrova@clinic.example', password: 'correct horse battery' }],
  },
);

type App = Parameters<FastifyPluginAsyncTypebox>[0];

/**
 * The accounts a login may open. A phone signs in the client who VERIFIED
 * it (an unverified phone gives no right), else staff; an email is a staff
 * login. Staff may sign in before verifying (seed 003): then every active
 * staff account naming the value is a candidate, and only the password
 * tells which, while an owner, once verified, is the only one.
 */
async function candidates(db: Dependencies['db'], identifier: { phone?: string; email?: string }): Promise<Subject[]> {
  if (identifier.phone) {
    const clientId = await findAccountIdByVerifiedPhone(db, identifier.phone);
    if (clientId) return [{ id: clientId, kind: 'client' }];
    return (await staffLoginCandidates(db, { phone: identifier.phone })).map((id) => ({ id, kind: 'user' }));
  }
  return identifier.email ? (await staffLoginCandidates(db, { email: identifier.email })).map((id) => ({ id, kind: 'user' })) : [];
}

/** An account without a password costs the time of a wrong one, so timing does not tell which accounts have one. */
async function passwordMatches(db: Dependencies['db'], accountId: string, password: string): Promise<boolean> {
  const hash = await getPasswordHash(db, accountId);
  return hash ? verifyPassword(hash, password) : dummyVerify(password);
}

/** The candidate whose password this is; an unknown login costs the time of one wrong password. */
async function passwordOwner(db: Dependencies['db'], accounts: readonly Subject[], password: string): Promise<Subject | undefined> {
  if (accounts.length === 0) {
    await dummyVerify(password);
    return undefined;
  }
  for (const account of accounts) {
    if (await passwordMatches(db, account.id, password)) return account;
  }
  return undefined;
}

function passwordLoginRoutes(app: App, deps: Dependencies): void {
  app.post('/auth/token', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      tags: ['sessions'],
      summary: 'Phone or email and password for an access and a refresh token (public).',
      body: TokenBody,
      response: { 200: Tokens, ...errorReplies(400, 401, 415, 429) },
    },
  }, async (request) => passwordLogin(deps, request.body));
}

/**
 * The password login (seeds 000, 002, 003, 004): a phone or an email and the
 * password for a session; failures are counted per login and lock it (429).
 */
export async function passwordLogin(deps: Dependencies, login: { phone?: string | undefined; email?: string | undefined; password: string }): Promise<SessionTokens> {
  const { db, tokens } = deps;
  const { password } = login;
  const phone = login.phone === undefined ? undefined : deps.normalizePhone(login.phone)!;
  const email = login.email?.toLowerCase();
  if (!phone && !email) throw new DomainError('invalid', 'Invalid input.', { phone: ['Give a phone or an email.'], email: ['Give a phone or an email.'] });
  const throttleKey = phone ? loginAccount('phone', deps.contacts.destination(phone)) : loginAccount('email', deps.contacts.destination(email!));
  const now = deps.now();
  const attempt = await throttled(db, throttleKey, now, async () => passwordOwner(db, await candidates(db, { phone, email }), password));
  if (attempt.locked) throw tooManyRequests(`Too many failed login attempts; try again in ${attempt.retryAfterSeconds} seconds.`, attempt.retryAfterSeconds);
  if (!attempt.value) throw new DomainError('unauthenticated', BAD_CREDENTIALS);
  return startSession(db, tokens, attempt.value, now);
}

function refreshAndLogoutRoutes(app: App, deps: Dependencies): void {
  const { db } = deps;
  app.post('/auth/token/refresh', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      tags: ['sessions'],
      summary: 'Exchange a refresh token for a new access and refresh token; a reused one ends the session (public).',
      body: Type.Object({ refresh: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 200: Tokens, ...errorReplies(400, 401, 415, 429) },
    },
  }, async (request) => refreshSession(deps, request, request.body.refresh));

  app.post('/auth/logout', {
    config: { access: { kind: 'authenticated', principals: ['client', 'user', 'admin'] } },
    schema: {
      tags: ['sessions'],
      summary: 'End this session: its refresh tokens stop working and its access tokens are refused (403).',
      response: { 204: Type.Null(), ...errorReplies(401, 403) },
    },
  }, async (request, reply) => {
    await revokeFamily(db, principalOf(request).sessionId, deps.now());
    return reply.code(204).send(null);
  });
}

/**
 * Passwordless login's first half, for the client who verified this E.164
 * phone; nothing is sent for any other number. The cooldown is claimed for
 * every number, so a 429 does not tell whether it is registered
 * (`cooldown`: a seed's own words for that 429).
 */
export async function sendLoginCode(deps: Dependencies, request: FastifyRequest, phone: string, cooldown?: string): Promise<void> {
  await claimOrThrow(deps, request, 'login', phone, cooldown);
  const clientId = await findAccountIdByVerifiedPhone(deps.db, phone);
  if (clientId) {
    await deps.handle(
      clientDecider,
      clientStream(clientId),
      { type: 'RequestLoginCode', data: { challengeId: deps.newId(), now: deps.now().toISOString() } },
      metadataOf(request)
    );
  }
}

/** The login code sent to this E.164 phone, for a new session of the account it was sent for. */
export async function signInWithLoginCode(deps: Dependencies, phone: string, code: string): Promise<SessionTokens> {
  const clientId = await expectCode(deps, { purpose: 'login', destination: phone, code });
  // The code opens the account only while that account still holds the number it was sent to.
  const account = registered((await loadState(deps.store, clientDecider, clientStream(clientId))).state);
  if (account.phone !== phone || !account.confirmedPhone) throw rejectCode('missing');
  return startSession(deps.db, deps.tokens, { id: clientId, kind: 'client' }, deps.now());
}

function codeLoginRoutes(app: App, deps: Dependencies): void {
  app.post('/auth/login/code', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['sessions'],
      summary: 'Passwordless login: an SMS code to a verified phone; the same answer for any phone (public).',
      body: Type.Object({ phone: Phone }),
      response: { 200: Type.Object({ detail: Type.String(), expires_in: Type.Integer() }), ...errorReplies(400, 415, 429) },
    },
  }, async (request) => {
    await sendLoginCode(deps, request, deps.normalizePhone(request.body.phone)!);
    return { detail: 'If this phone number is registered and verified, a login code has been sent to it.', expires_in: expiresIn };
  });

  app.post('/auth/login/verify', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      tags: ['sessions'],
      summary: 'The login code for an access and a refresh token (public).',
      body: Type.Object({ phone: Phone, code: Code }),
      response: { 200: Tokens, ...errorReplies(400, 415, 429) },
    },
  }, async (request) => signInWithLoginCode(deps, deps.normalizePhone(request.body.phone)!, request.body.code));
}

/** Whether this is the account's password; wrong guesses are counted per account (429 once locked), as for a login. */
export async function checkOwnPassword(deps: Dependencies, accountId: string, password: string): Promise<boolean> {
  const { db } = deps;
  const attempt = await throttled(db, `check:${accountId}`, deps.now(), async () => (await passwordMatches(db, accountId, password)) || undefined);
  if (attempt.locked) throw tooManyRequests(`Too many wrong passwords; try again in ${attempt.retryAfterSeconds} seconds.`, attempt.retryAfterSeconds);
  return attempt.value === true;
}

function passwordCheckRoutes(app: App, deps: Dependencies): void {
  app.post('/auth/password/check', {
    config: { access: { kind: 'authenticated', principals: ['client', 'user', 'admin'] }, rateLimit: guessLimit(deps) },
    schema: {
      tags: ['sessions'],
      summary: 'Does this password match mine (seed 001).',
      body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 128 }) }),
      response: { 200: Type.Object({ match: Type.Boolean() }), ...errorReplies(400, 401, 403, 429) },
    },
  }, async (request) => ({ match: await checkOwnPassword(deps, principalOf(request).id, request.body.password) }));
}

/** Refresh rotation (RFC 9700): a new access and refresh token; a reused refresh token ends its session. */
export async function refreshSession(deps: Dependencies, request: FastifyRequest, refresh: string): Promise<SessionTokens> {
  try {
    const rotated = await rotateRefresh(deps.db, refresh, { now: deps.now() });
    const access = await deps.tokens.issueAccess({ sub: rotated.subject.id, kind: rotated.subject.kind, sid: rotated.familyId });
    return { access: access.token, refresh: rotated.token, expires_in: access.expiresIn };
  } catch (error) {
    if (error instanceof InvalidRefreshToken) {
      request.log.info({ reason: error.reason }, 'refresh token refused');
      throw new DomainError('unauthenticated', BAD_REFRESH);
    }
    throw error;
  }
}

// In this order, the order the OpenAPI document lists them.
export const sessionRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  passwordLoginRoutes(app, deps);
  refreshAndLogoutRoutes(app, deps);
  codeLoginRoutes(app, deps);
  passwordCheckRoutes(app, deps);
};

/** RFC 7517 (every member optional, as jose types it): only the public members of each key are written (anything else, a private `d`, is dropped by the serializer). */
const JsonWebKeySet = Type.Object(
  {
    keys: Type.Array(
      Type.Object({
        kty: Type.Optional(Type.String({ description: 'Key type: OKP (RFC 8037).' })),
        crv: Type.Optional(Type.String({ description: 'Curve: Ed25519.' })),
        x: Type.Optional(Type.String({ description: 'The public key, base64url.' })),
        kid: Type.Optional(Type.String({ description: 'Key id, the `kid` of the tokens it verifies.' })),
        alg: Type.Optional(Type.String({ description: 'EdDSA.' })),
        use: Type.Optional(Type.String({ description: 'sig.' })),
      }),
    ),
  },
  {
    description: 'The JSON Web Key Set (RFC 7517) that verifies access tokens.',
    examples: [{ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k', alg: 'EdDSA', use: 'sig' }] }],
  },
);

/** Served at the root, where JWT libraries look for it. */
export const wellKnownRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.get('/.well-known/jwks.json', {
    schema: { tags: ['sessions'], summary: 'Public keys that verify our access tokens (public).', security: [], querystring: Type.Object({}), response: { 200: JsonWebKeySet, ...errorReplies(400) } },
  }, async () => deps.tokens.jwks());
};
