import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { conflict, isConflict } from '../../../commands/errors.js';
import { fullProfile } from '../../clients/client-fields.js';
import { registerByPhone, verifyPhoneByCode } from '../../clients/registration.js';
import { guessLimit } from '../../rate-limits.js';
import { Phone, Uuid } from '../../schemas.js';
import type { Dependencies } from '../../dependencies.js';
import { codeText, errorBodies, SeedCode } from './flask.js';

// Seed 004's account views: register by phone (POST /auth/register), and
// verify it with the SMS code (POST /auth/phone/verify). The `token` the
// registration hands out is the new account's own id: /api/v1's
// registration answers it too (`client_id`), and the person finds it in
// every access token they get (`sub`); it opens nothing by itself. The
// verification looks for the code among that account's codes to the phone,
// so a wrong token finds none: nothing is consumed, no try is counted.

export const ACCOUNT_EXISTS = 'Account already Exists';

export const accountRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.post('/Register/', {
    config: { access: { kind: 'public' } },
    schema: {
      summary: 'Register by phone; an SMS code is sent to verify it (public). 409 when someone has verified the phone; 429 with Retry-After within the cooldown.',
      body: Type.Object({ phonenumber: Phone }),
      response: {
        200: Type.Object({ message: Type.String(), phone: Type.String({ description: 'E.164.' }), token: Type.String({ description: 'The account id; verify/ needs it.' }) }),
        ...errorBodies(400, 409, 429),
      },
    },
  }, async (request) => {
    const phone = deps.normalizePhone(request.body.phonenumber)!;
    try {
      const clientId = await registerByPhone(deps, request, { phone, password: undefined, profile: fullProfile({}) });
      return { message: 'User Created Successfully', phone, token: clientId };
    } catch (error) {
      if (isConflict(error)) throw conflict(ACCOUNT_EXISTS);
      throw error;
    }
  });

  app.post('/verify/', {
    config: { access: { kind: 'public' }, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'Verify the phone with the SMS code and the token from Register/ (public): the account owns the number from now on.',
      body: Type.Object({ code: SeedCode, token: Uuid, phone: Phone }),
      response: { 200: Type.Object({ message: Type.String() }), ...errorBodies(400, 409, 429) },
    },
  }, async (request) => {
    const { code, token } = request.body;
    await verifyPhoneByCode(deps, request, { phone: deps.normalizePhone(request.body.phone)!, code: codeText(code), clientId: token });
    return { message: 'User verify Successfully!' };
  });
};
