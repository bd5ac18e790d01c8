import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { getPasswordHash } from '../auth/credentials.js';
import { dummyVerify, verifyPassword } from '../auth/passwords.js';
import { startSession } from '../auth/sessions.js';
import { registerClient } from '../commands/register-client.js';
import { DomainError } from '../commands/errors.js';
import { findClientIdByPhone } from '../projections/clients.js';
import { metadataOf } from './metadata.js';
import { Birthday, Email, errorReplies, FreeText, Name, Password, Phone, Sex, Tokens, Uuid } from './schemas.js';
import type { Services } from './services.js';

const RegisterBody = Type.Object({
  phone: Phone,
  password: Type.Optional(Password),
  first_name: Type.Optional(Name),
  last_name: Type.Optional(Name),
  patronymic: Type.Optional(Name),
  email: Type.Optional(Email),
  birthday: Type.Optional(Birthday),
  sex: Type.Optional(Sex),
  address: Type.Optional(FreeText),
  additional_info: Type.Optional(FreeText),
});

const TokenBody = Type.Object({ phone: Phone, password: Type.String({ minLength: 1, maxLength: 128 }) });

// One message for every wrong credential, so a caller cannot tell which part was wrong.
const BAD_CREDENTIALS = 'No active account found with the given credentials.';

export const identityRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { db, tokens } = services;

  app.post('/auth/register', {
    schema: {
      tags: ['identity'],
      summary: 'A client registers by phone (public).',
      body: RegisterBody,
      response: { 201: Type.Object({ client_id: Uuid }), ...errorReplies(400, 409, 415) },
    },
  }, async (request, reply) => {
    const body = request.body;
    const { clientId, position } = await registerClient(
      services,
      {
        clientId: services.newId(),
        phone: services.normalizePhone(body.phone)!,
        password: body.password,
        profile: {
          firstName: body.first_name ?? '',
          lastName: body.last_name ?? '',
          patronymic: body.patronymic ?? '',
          email: body.email?.toLowerCase() ?? null,
          birthday: body.birthday ?? null,
          sex: body.sex ?? null,
          address: body.address ?? '',
          additionalInfo: body.additional_info ?? '',
        },
        now: services.now(),
      },
      metadataOf(request),
    );
    await services.awaitProjections(position, ['clients']);
    return reply.code(201).send({ client_id: clientId });
  });

  app.post('/auth/token', {
    schema: {
      tags: ['identity'],
      summary: 'Phone and password for an access and a refresh token (public).',
      body: TokenBody,
      response: { 200: Tokens, ...errorReplies(400, 401, 415) },
    },
  }, async (request) => {
    const { phone, password } = request.body;
    const clientId = await findClientIdByPhone(db, services.normalizePhone(phone)!);
    const hash = clientId ? await getPasswordHash(db, clientId) : undefined;
    // An unknown account costs the same time as a wrong password.
    const valid = hash ? await verifyPassword(hash, password) : await dummyVerify(password);
    if (!clientId || !valid) throw new DomainError('unauthenticated', BAD_CREDENTIALS);
    return startSession(db, tokens, { id: clientId, kind: 'client' }, services.now());
  });
};
