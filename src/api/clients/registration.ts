import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { clientDecider } from '../../commands/clients/client.js';
import { isConflict } from '../../commands/errors.js';
import { phoneOwner, registerClient, verifyClientPhone } from '../../workflows/clients/register-client.js';
import { clientStream, type ClientProfile } from '../../events/clients/client.js';
import { findUnverifiedAccountIdByPhone } from '../../projections/clients/client-accounts.js';
import { claimOrThrow, Code, expectCode, expiresIn } from '../identity/codes.js';
import { ClientProfileFields, fullProfile } from './client-fields.js';
import { metadataOf } from '../metadata.js';
import { guessLimit } from '../rate-limits.js';
import { errorReplies, Password, Phone, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// Seeds 001 and 004: a client registers by phone and proves it with an SMS
// code. Until then the phone gives the account no right, and stops nobody
// else from registering it: whoever verifies it owns it.

export const RegisterBody = Type.Object({ phone: Phone, password: Type.Optional(Password), ...ClientProfileFields });
export type RegisterBody = Static<typeof RegisterBody>;
const PhoneAndCode = Type.Object({ phone: Phone, code: Code });
const CodeSent = Type.Object({ detail: Type.String(), expires_in: Type.Integer({ description: 'Seconds the code stays valid.' }) });

/** What POST /auth/register's body asks for (seed 001's registration too). */
export const registrationOf = (deps: Dependencies, body: RegisterBody) => ({ phone: deps.normalizePhone(body.phone)!, password: body.password, profile: fullProfile(body) });

/** A new account for this E.164 phone, its verification code capped and sent; returns its id once the read model has it. */
export async function registerByPhone(
  deps: Dependencies,
  request: FastifyRequest,
  account: { phone: string; password: string | undefined; profile: ClientProfile },
): Promise<string> {
  const { clientId, position } = await registerClient(
    deps,
    {
      ...account,
      clientId: deps.newId(),
      challengeId: deps.newId(),
      now: deps.now(),
      // The registration sends a code: it is capped like every code, before anything is recorded.
      beforeRecording: () => claimOrThrow(deps, request, 'phone_verification', account.phone),
    },
    metadataOf(request),
  );
  await deps.awaitProjections(position, ['client-accounts']);
  return clientId;
}

/**
 * The verification code sent to this E.164 phone: the account it was sent
 * for owns the number from now on. `clientId` narrows the code to that
 * account's latest one (seed 004 names it); without it, the latest sent to the phone.
 */
export async function verifyPhoneByCode(deps: Dependencies, request: FastifyRequest, attempt: { phone: string; code: string; clientId?: string }): Promise<void> {
  const { phone, code } = attempt;
  const subject = attempt.clientId === undefined ? {} : { subjectId: attempt.clientId };
  const clientId = await expectCode(deps, { purpose: 'phone_verification', destination: phone, code, ...subject });
  const position = await verifyClientPhone(deps, { clientId, phone, now: deps.now() }, metadataOf(request));
  await deps.awaitProjections(position, ['client-accounts']);
}

export const registrationRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.post('/auth/register', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['identity'],
      summary: 'A client registers by phone; an SMS code is sent to verify it (public). 409 when someone has verified the phone.',
      body: RegisterBody,
      response: { 201: Type.Object({ client_id: Uuid, expires_in: Type.Integer() }), ...errorReplies(400, 409, 415, 429) },
    },
  }, async (request, reply) => {
    const clientId = await registerByPhone(deps, request, registrationOf(deps, request.body));
    return reply.code(201).send({ client_id: clientId, expires_in: expiresIn });
  });

  app.post('/auth/phone/verify', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      tags: ['identity'],
      summary: 'Confirm the phone with the SMS code (public): the account the code was sent for owns the number from now on.',
      body: PhoneAndCode,
      response: { 200: Type.Object({ detail: Type.String() }), ...errorReplies(400, 409, 415, 429) },
    },
  }, async (request) => {
    await verifyPhoneByCode(deps, request, { phone: deps.normalizePhone(request.body.phone)!, code: request.body.code });
    return { detail: 'Phone number verified.' };
  });

  app.post('/auth/phone/resend', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['identity'],
      summary: 'A new verification code for the newest account awaiting this phone; the same answer for any phone; 429 with Retry-After inside the cooldown ' +
        '(public).',
      body: Type.Object({ phone: Phone }),
      response: { 202: CodeSent, ...errorReplies(400, 415, 429) },
    },
  }, async (request, reply) => {
    const phone = deps.normalizePhone(request.body.phone)!;
    // Claimed for every number, so neither the cap nor the answer tells whether it awaits verification.
    await claimOrThrow(deps, request, 'phone_verification', phone);
    // A phone someone owns sends nobody else codes: they could never verify it.
    const clientId = (await phoneOwner(deps, phone)) === undefined ? await findUnverifiedAccountIdByPhone(deps.db, phone) : undefined;
    if (clientId) {
      try {
        await deps.handle(
          clientDecider,
          clientStream(clientId),
          { type: 'RequestPhoneVerification', data: { challengeId: deps.newId(), now: deps.now().toISOString() } },
          metadataOf(request)
        );
      } catch (error) {
        // Verified since the read model last saw it: nothing to send, and the answer stays the same.
        if (!isConflict(error)) throw error;
      }
    }
    return reply.code(202).send({ detail: 'If this phone number awaits verification, a new code has been sent to it.', expires_in: expiresIn });
  });
};
