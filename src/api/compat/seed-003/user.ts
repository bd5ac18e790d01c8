import Type from 'typebox';
import type { ProfileField } from '../../../workflows/identity/staff-profile.js';
import { STAFF } from '../../access.js';
import { principalOf } from '../../authenticate.js';
import type { Routes } from '../../dependencies.js';
import { Code } from '../../identity/codes.js';
import { changeOwnProfile, deleteOwnAccount, ownProfile } from '../../identity/users.js';
import { Email, FreeText, Name, Password, Phone } from '../../schemas.js';
import { UserReply, userReply } from './replies.js';
import { drfReplies } from '../drf.js';

// Seed 003's `user/`: the signed-in staff user's own profile, as
// /api/v1/users/me. The token comes as `Bearer <access>` or `Token <access>`
// (src/api/authenticate.ts takes both).

/** Re-authentication, as /api/v1 asks it for a new password, email or number and for deleting the account. */
const Proof = {
  current_password: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Needed (or `code`) to change the password, email or number.' })),
  /** A code from POST /api/v1/auth/reauthenticate, instead of current_password. */
  code: Type.Optional(Code),
};

const Change = Type.Object({
  surname: Type.Optional(Name),
  name: Type.Optional(Name),
  patronymic: Type.Optional(Name),
  address: Type.Optional(FreeText),
  email: Type.Optional(Email),
  number: Type.Optional(Phone),
  password: Type.Optional(Password),
  ...Proof,
});

const Report = Type.Object({
  success: Type.Record(Type.String(), Type.String(), { description: 'Per changed field: "Surname": "Surname successfully changed"...' }),
  error: Type.Record(Type.String(), Type.String(), { description: 'Per field left unchanged: why ("This email is already taken.").' }),
});

/** The seed's key and message per domain field. */
const FIELDS: Record<ProfileField, readonly [string, string]> = {
  lastName: ['Surname', 'Surname successfully changed'],
  firstName: ['Name', 'Name successfully changed'],
  patronymic: ['Patronymic', 'Patronymic successfully changed'],
  address: ['Address', 'Address successfully changed'],
  email: ['Email', 'Email successfully changed'],
  phone: ['Number', 'Number successfully changed'],
  password: ['Password', 'Password successfully changed'],
};

export const userRoutes: Routes = async (app, { deps }) => {
  const staff = { kind: 'authenticated', principals: STAFF } as const;

  app.get('/user/', {
    config: { access: staff },
    schema: { summary: 'My profile (staff), as GET /api/v1/users/me.', response: { 200: UserReply, ...drfReplies(401, 403, 404) } },
  }, async (request) => userReply(await ownProfile(deps, principalOf(request).id)));

  app.patch('/user/', {
    config: { access: staff },
    schema: {
      summary:
        'Change my profile, as PATCH /api/v1/users/me; the reply says per field what changed and what could not. A new password, email or ' +
          'number needs `current_password` or a `code` (without, 403 and nothing changes). A new password ends every session.',
      body: Change,
      response: { 200: Report, ...drfReplies(400, 401, 403, 404, 415, 429) },
    },
  }, async (request) => {
    const { surname, name, patronymic, address, email, number, password, current_password, code } = request.body;
    const outcome = await changeOwnProfile(deps, request, {
      firstName: name, lastName: surname, patronymic, address, email, phone: number, password, currentPassword: current_password, code,
    });
    const success = Object.fromEntries(outcome.changed.map((field) => FIELDS[field]));
    const error = Object.fromEntries(Object.entries(outcome.refused).map(([field, reason]) => [FIELDS[field as ProfileField][0], reason]));
    return { success, error };
  });

  app.delete('/user/', {
    config: { access: staff },
    // The seed's DELETE has no body: taken as an empty one, so the answer says what is missing (current_password), not that a body is.
    preValidation: async (request) => {
      if (request.body === undefined) request.body = {};
    },
    schema: {
      summary: 'Delete my account, with `current_password` or a `code`, as DELETE /api/v1/users/me: sessions end, the email and number become free.',
      body: Type.Object(Proof),
      response: { 200: Type.Object({ detail: Type.String() }), ...drfReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request) => {
    await deleteOwnAccount(deps, request, { currentPassword: request.body.current_password, code: request.body.code });
    return { detail: 'Account deleted.' };
  });
};
