import Type from 'typebox';
import type { FastifyRequest } from 'fastify';
import { clientTarget } from '../../clients/client-access.js';
import { profileChanges } from '../../clients/client-fields.js';
import { changeClientOrRecord, type ClientChange } from '../../clients/clients.js';
import { ReauthenticationFields } from '../../clients/client-reauthentication.js';
import type { Routes } from '../../dependencies.js';
import { checkOwnPassword } from '../../identity/sessions.js';
import { guessLimit } from '../../rate-limits.js';
import { errorReplies, FreeText, Name, Password, Phone } from '../../schemas.js';
import { ClientIdParams, ClientIdReply, signedIn } from './schemas.js';

// Seed 001's one-purpose changes and the password check it asks for, on
// /api/v1's workflows. The document answers "{200 - OK}": here `{client_id}`,
// as its general PATCH answers.

const { reason } = ReauthenticationFields.properties;

/** The document writes "null" for a name left as it is; JSON null means the same. */
const NameOrUnchanged = Type.Optional(Type.Union([Name, Type.Null()], { description: 'null, or the text "null", leaves it as it is.' }));
const unlessUnchanged = (name: string | null | undefined) => (name === null || name === 'null' ? undefined : name);

export const onePurposeRoutes: Routes = async (app, { deps }) => {
  async function change(request: FastifyRequest, id: string, fields: ClientChange, proof: ReauthenticationFields) {
    await changeClientOrRecord(deps, request, id, fields, proof);
    return { client_id: id };
  }

  app.patch('/clients/:client_id/full_name', {
    config: signedIn,
    schema: {
      summary: 'Change the name; a name given as null or "null" stays as it is.',
      params: ClientIdParams,
      body: Type.Object({ first_name: NameOrUnchanged, last_name: NameOrUnchanged, patronymic: NameOrUnchanged, reason }, { minProperties: 1 }),
      response: { 200: ClientIdReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { first_name, last_name, patronymic } = request.body;
    const name = { first_name: unlessUnchanged(first_name), last_name: unlessUnchanged(last_name), patronymic: unlessUnchanged(patronymic) };
    return change(request, request.params.client_id, { profile: profileChanges(name) }, { reason: request.body.reason });
  });

  app.patch('/clients/:client_id/password', {
    config: signedIn,
    schema: {
      summary: 'Change your own password with `current_password` or `code` (from /api/v1/auth/reauthenticate); without either 403, nothing changed. Every ' +
        'session ends: sign in again with the new password.',
      params: ClientIdParams,
      body: Type.Object({ password: Password, ...ReauthenticationFields.properties }),
      response: { 200: ClientIdReply, ...errorReplies(400, 401, 403, 404, 429) },
    },
  }, async (request) => {
    const { password, ...proof } = request.body;
    return change(request, request.params.client_id, { password }, proof);
  });

  app.patch('/clients/:client_id/phone_number', {
    config: signedIn,
    schema: {
      summary: 'Your own login phone, with `current_password` or `code` (else 403); the new number is verified again by SMS (429 with Retry-After inside ' +
        'the cooldown). Staff: their record’s contact phone.',
      params: ClientIdParams,
      body: Type.Object({ phone_number: Phone, ...ReauthenticationFields.properties }),
      response: { 200: ClientIdReply, ...errorReplies(400, 401, 403, 404, 409, 429) },
    },
  }, async (request) => {
    const { phone_number, ...proof } = request.body;
    return change(request, request.params.client_id, { phone: deps.normalizePhone(phone_number)! }, proof);
  });

  app.patch('/clients/:client_id/additional_info', {
    config: signedIn,
    schema: {
      summary: 'Change the additional information.',
      params: ClientIdParams,
      body: Type.Object({ additional_info: FreeText, reason: reason }),
      response: { 200: ClientIdReply, ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request) => change(request, request.params.client_id, { profile: { additionalInfo: request.body.additional_info } }, { reason: request.body.reason }));

  app.post('/clients/:client_id/password/check', {
    config: { access: { kind: 'authenticated', principals: ['client'] }, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'Does this password match mine (the check the document asks for); your own account only. Wrong guesses are counted: 429 once locked.',
      params: ClientIdParams,
      body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 128 }) }),
      response: { 200: Type.Object({ match: Type.Boolean() }), ...errorReplies(400, 401, 403, 404, 429) },
    },
  }, async (request) => {
    const target = await clientTarget(deps, request, request.params.client_id, 'read');
    // A client token reaches its own account only (else 404 above); the check is of that account's password.
    return { match: target.kind === 'account' && (await checkOwnPassword(deps, target.accountId, request.body.password)) };
  });

};
