import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { claimCodeRequest, CODE_POLICY, verifyCode, type CodeCheck } from '../auth/codes.js';
import { clientDecider } from '../commands/client.js';
import { DomainError, tooManyRequests } from '../commands/errors.js';
import { registerClient } from '../commands/register-client.js';
import { clientStream } from '../events/client.js';
import { findClient, findClientIdByPhone } from '../projections/clients.js';
import { metadataOf } from './metadata.js';
import { codeRequestLimit, guessLimit } from './rate-limits.js';
import { ClientProfileFields, fullProfile } from './client-fields.js';
import { errorReplies, Password, Phone, Uuid } from './schemas.js';
import type { Services } from './services.js';

// Seeds 001 and 004: a client registers by phone and proves it with an SMS code.

const RegisterBody = Type.Object({ phone: Phone, password: Type.Optional(Password), ...ClientProfileFields });

export const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code from the message.' });
const PhoneAndCode = Type.Object({ phone: Phone, code: Code });
const CodeSent = Type.Object({ detail: Type.String(), expires_in: Type.Integer({ description: 'Seconds the code stays valid.' }) });

const codeMessages: Record<Exclude<CodeCheck, 'ok'>, string> = {
  invalid: 'The code is not valid.',
  missing: 'The code is not valid.',
  expired: 'The code has expired; request a new one.',
  exhausted: 'Too many wrong codes; request a new one.',
};

export function rejectCode(check: Exclude<CodeCheck, 'ok'>): DomainError {
  return new DomainError('invalid', 'Invalid code.', { code: [codeMessages[check]] });
}

export async function claimOrThrow(services: Services, purpose: Parameters<typeof claimCodeRequest>[1]['purpose'], destination: string): Promise<void> {
  const claim = await claimCodeRequest(services.db, { purpose, destination, now: services.now() });
  if (!claim.ok) throw tooManyRequests(`A code was sent recently; try again in ${claim.retryAfterSeconds} seconds.`, claim.retryAfterSeconds);
}

export const expiresIn = Math.round(CODE_POLICY.ttlMs / 1000);

export const identityRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { db } = services;

  app.post('/auth/register', {
    config: { access: { kind: 'public' }, rateLimit: codeRequestLimit(services) },
    schema: {
      tags: ['identity'],
      summary: 'A client registers by phone; an SMS code is sent to verify it (public).',
      body: RegisterBody,
      response: { 201: Type.Object({ client_id: Uuid, expires_in: Type.Integer() }), ...errorReplies(400, 409, 415, 429) },
    },
  }, async (request, reply) => {
    const body = request.body;
    const phone = services.normalizePhone(body.phone)!;
    const { clientId, position } = await registerClient(
      services,
      {
        clientId: services.newId(),
        challengeId: services.newId(),
        organizationId: null,
        phone,
        password: body.password,
        profile: fullProfile(body),
        now: services.now(),
      },
      metadataOf(request),
    );
    // The registration sent a code: it starts the resend cooldown.
    await claimCodeRequest(db, { purpose: 'phone_verification', destination: phone, now: services.now() });
    await services.awaitProjections(position, ['clients']);
    return reply.code(201).send({ client_id: clientId, expires_in: expiresIn });
  });

  app.post('/auth/phone/verify', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(services) },
    schema: {
      tags: ['identity'],
      summary: 'Confirm the phone with the SMS code (public).',
      body: PhoneAndCode,
      response: { 200: Type.Object({ detail: Type.String() }), ...errorReplies(400, 415, 429) },
    },
  }, async (request) => {
    const phone = services.normalizePhone(request.body.phone)!;
    const clientId = await findClientIdByPhone(db, phone);
    if (!clientId) throw rejectCode('missing');
    const check = await verifyCode(db, services.codeSecret, { purpose: 'phone_verification', subjectId: clientId, code: request.body.code, now: services.now() });
    if (check !== 'ok') throw rejectCode(check);
    const { position } = await services.handle(clientDecider, clientStream(clientId), { type: 'VerifyPhone', data: { now: services.now().toISOString() } }, metadataOf(request));
    await services.awaitProjections(position, ['clients']);
    return { detail: 'Phone number verified.' };
  });

  app.post('/auth/phone/resend', {
    config: { access: { kind: 'public' }, rateLimit: codeRequestLimit(services) },
    schema: {
      tags: ['identity'],
      summary: 'Send a new verification code; 429 with Retry-After inside the cooldown (public).',
      body: Type.Object({ phone: Phone }),
      response: { 202: CodeSent, ...errorReplies(400, 404, 409, 415, 429) },
    },
  }, async (request, reply) => {
    const phone = services.normalizePhone(request.body.phone)!;
    const clientId = await findClientIdByPhone(db, phone);
    const client = clientId ? await findClient(db, clientId) : undefined;
    if (!client) throw new DomainError('not_found', 'No client is registered with this phone number.');
    if (client.confirmed_phone) throw new DomainError('conflict', 'This phone number is already verified.');
    await claimOrThrow(services, 'phone_verification', phone);
    await services.handle(clientDecider, clientStream(client.id), { type: 'RequestPhoneVerification', data: { challengeId: services.newId(), now: services.now().toISOString() } }, metadataOf(request));
    return reply.code(202).send({ detail: 'A new code has been sent.', expires_in: expiresIn });
  });
};
