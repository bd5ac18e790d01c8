import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { claimCodeRequest, verifyCode } from '../auth/codes.js';
import { DomainError, tooManyRequests } from '../commands/errors.js';
import { userDecider } from '../commands/user.js';
import { userStream } from '../events/user.js';
import { findUser } from '../projections/users.js';
import { STAFF } from './access.js';
import { principalOf } from './authenticate.js';
import { Code, expiresIn, rejectCode } from './identity.js';
import { metadataOf } from './metadata.js';
import { codeRequestLimit, guessLimit } from './rate-limits.js';
import { errorReplies } from './schemas.js';
import type { Services } from './services.js';

// Seed 003 verify-email / accept-email: the signed-in staff user proves their email with a code.

export const emailVerificationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { db } = services;

  app.post('/users/me/email/verify', {
    config: { access: { kind: 'authenticated', principals: STAFF }, rateLimit: codeRequestLimit(services) },
    schema: {
      tags: ['users'],
      summary: 'Email a verification code to my address; 429 with Retry-After inside the cooldown.',
      security: [{ bearer: [] }],
      response: { 202: Type.Object({ detail: Type.String(), expires_in: Type.Integer() }), ...errorReplies(401, 403, 404, 409, 429) },
    },
  }, async (request, reply) => {
    const userId = principalOf(request).id;
    const user = await findUser(db, userId);
    if (!user || user.deleted_at) throw new DomainError('not_found', 'Not found.');
    if (user.confirmed_email) throw new DomainError('conflict', 'This email is already confirmed.');
    const claim = await claimCodeRequest(db, { purpose: 'email_verification', destination: user.email, now: services.now() });
    if (!claim.ok) throw tooManyRequests(`A code was sent recently; try again in ${claim.retryAfterSeconds} seconds.`, claim.retryAfterSeconds);
    await services.handle(
      userDecider,
      userStream(userId),
      { type: 'RequestEmailVerification', data: { userId, challengeId: services.newId(), now: services.now().toISOString() } },
      metadataOf(request),
    );
    return reply.code(202).send({ detail: 'A code has been sent to your email.', expires_in: expiresIn });
  });

  app.post('/users/me/email/confirm', {
    config: { access: { kind: 'authenticated', principals: STAFF }, rateLimit: guessLimit(services) },
    schema: {
      tags: ['users'],
      summary: 'Confirm my email with the code.',
      security: [{ bearer: [] }],
      body: Type.Object({ code: Code }),
      response: { 200: Type.Object({ detail: Type.String() }), ...errorReplies(400, 401, 403, 429) },
    },
  }, async (request) => {
    const userId = principalOf(request).id;
    const check = await verifyCode(db, services.codeSecret, { purpose: 'email_verification', subjectId: userId, code: request.body.code, now: services.now() });
    if (check !== 'ok') throw rejectCode(check);
    const { position } = await services.handle(userDecider, userStream(userId), { type: 'VerifyEmail', data: { userId, now: services.now().toISOString() } }, metadataOf(request));
    await services.awaitProjections(position, ['users']);
    return { detail: 'Successfully confirmed' };
  });
};
