import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import { Nullable } from '../../../events/schema.js';
import { clientTarget } from '../../clients/client-access.js';
import { ClientProfileFields, profileChanges } from '../../clients/client-fields.js';
import { accountView, changeClientOrRecord, recordView } from '../../clients/clients.js';
import { ReauthenticationFields } from '../../clients/client-reauthentication.js';
import { RegisterBody, registerByPhone, registrationOf } from '../../clients/registration.js';
import type { Routes } from '../../dependencies.js';
import { expiresIn } from '../../identity/codes.js';
import { errorReplies, Password, Phone, Uuid } from '../../schemas.js';
import { getBodyReader } from './get-body.js';
import { ClientIdParams, ClientIdReply, signedIn } from './schemas.js';
import { named } from '../../openapi/components.js';

// Seed 001's client: register, read the profile, change it. Each route is
// /api/v1's workflow (registration with its SMS code and phone ownership,
// /clients/{id}'s access rule, its change with re-authentication) in the
// document's shapes.

const ClientIdQuery = Type.Object({ client_id: Type.Optional(Uuid) });
const ClientIdBody = Type.Object({ client_id: Uuid });

const Profile = named('Seed001ClientProfile', Type.Object({
  client_id: Uuid,
  first_name: Type.String(),
  last_name: Type.String(),
  email: Nullable(Type.String()),
  registration_date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', description: 'UTC, e.g. 2024-02-25 03:14:07.' }),
  phone: Type.String({ description: 'E.164. A person’s login phone, or the contact phone of an organization’s record (staff).' }),
  additional_info: Type.String(),
  birthday: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  sex: Nullable(Type.String({ description: 'As written, e.g. "женщина" or "мужчина".' })),
}, { description: 'Seed 001: a client’s profile.' }));

/** "2024-02-25 03:14:07" in UTC, as the document writes it. */
const documentDate = (iso: string) => iso.slice(0, 19).replace('T', ' ');

const GET_SUMMARY =
  'A client’s profile: `client_id` in the query, or in a JSON body of the GET as the document sends it ({"client_id": "..."}; read by the profile, up ' +
  'to 64 KB; a field it does not name is 400). Yours (a client), or your organization’s record (staff), as /api/v1/clients/{id}; anyone else 404.';

export const clientsRoutes: Routes = async (app, { deps }) => {
  const clientIdInBody = getBodyReader<{ client_id: string }>(app, ClientIdBody, `${app.prefix}/clients`);

  app.post('/clients', {
    config: { access: { kind: 'public' } },
    schema: {
      summary: 'A client registers (public): an SMS code is sent, verify it at /api/v1/auth/phone/verify before signing in. 409 when someone owns the phone.',
      body: RegisterBody,
      response: { 201: Type.Object({ client_id: Uuid, expires_in: Type.Integer({ description: 'Seconds the SMS code stays valid.' }) }), ...errorReplies(400, 409, 415, 429) },
    },
  }, async (request, reply) => reply.code(201).send({ client_id: await registerByPhone(deps, request, registrationOf(deps, request.body)), expires_in: expiresIn }));

  app.get('/clients', {
    config: signedIn,
    schema: {
      summary: GET_SUMMARY,
      querystring: ClientIdQuery,
      response: { 200: Profile, ...errorReplies(400, 401, 403, 404, 413, 415) },
    },
  }, async (request) => {
    const inBody = (await clientIdInBody(request))?.client_id;
    const inQuery = request.query.client_id;
    if (inBody !== undefined && inQuery !== undefined && inBody !== inQuery) {
      throw new DomainError('invalid', 'Invalid input.', { client_id: ['Give client_id once: in the query or in the body.'] });
    }
    const id = inBody ?? inQuery;
    if (id === undefined) throw new DomainError('invalid', 'Invalid input.', { client_id: ['This field is required.'] });
    const target = await clientTarget(deps, request, id, 'read');
    const view = target.kind === 'account' ? await accountView(deps, target.accountId) : await recordView(deps, target.record.id);
    return {
      client_id: view.id,
      first_name: view.first_name,
      last_name: view.last_name,
      email: view.email,
      registration_date: documentDate(view.registration_date),
      phone: view.phone,
      additional_info: view.additional_info,
      birthday: view.birthday,
      sex: view.sex,
    };
  });

  app.patch('/clients/:client_id', {
    config: signedIn,
    schema: {
      summary: 'Change some fields, as PATCH /api/v1/clients/{id}. A new phone or password needs `current_password` or `code` (else 403); a new phone is ' +
        'verified again by SMS; a new password ends every session.',
      params: ClientIdParams,
      body: Type.Object({ ...ClientProfileFields, phone: Type.Optional(Phone), password: Type.Optional(Password), ...ReauthenticationFields.properties }),
      response: { 200: ClientIdReply, ...errorReplies(400, 401, 403, 404, 409, 429) },
    },
  }, async (request) => {
    const { phone, password, current_password, code, reason, ...profile } = request.body;
    const change = {
      profile: profileChanges(profile),
      ...(phone === undefined ? {} : { phone: deps.normalizePhone(phone)! }),
      ...(password === undefined ? {} : { password }),
    };
    await changeClientOrRecord(deps, request, request.params.client_id, change, { current_password, code, reason });
    return { client_id: request.params.client_id };
  });
};
