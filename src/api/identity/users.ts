import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { registerUser } from '../../workflows/identity/staff-accounts.js';
import { loadState } from '../../commands/load-state.js';
import { changeUserProfile, deleteUser, type ProfileField } from '../../workflows/identity/staff-profile.js';
import { userDecider } from '../../commands/identity/user.js';
import { userStream, type UserChanges } from '../../events/identity/user.js';
import { findUser } from '../../projections/identity/users.js';
import { STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import { Code } from './codes.js';
import { metadataOf } from '../metadata.js';
import { checkReauthentication } from './reauthentication.js';
import { Email, errorReplies, FreeText, Name, Password, Phone } from '../schemas.js';
import { NotVisibleYet } from '../errors.js';
import type { Dependencies } from '../dependencies.js';
import { StaffProfile, staffProfile } from './staff-replies.js';

// Staff accounts (seed 003): registration, and the signed-in user's own profile.

const RegisterBody = Type.Object({
  email: Email,
  password: Password,
  first_name: Type.Optional(Name),
  last_name: Type.Optional(Name),
  patronymic: Type.Optional(Name),
  address: Type.Optional(FreeText),
  phone: Type.Optional(Phone),
});

const ChangeBody = Type.Object({
  ...Type.Partial(RegisterBody).properties,
  current_password: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Needed (or `code`) to change the password, email or phone.' })),
  /** A code from POST /auth/reauthenticate, instead of current_password. */
  code: Type.Optional(Code),
});

const ChangeReport = Type.Object({
  success: Type.Record(Type.String(), Type.String(), { description: 'Per changed field: "First name successfully changed"...' }),
  error: Type.Record(Type.String(), Type.String(), { description: 'Per field left unchanged: why ("This email is already taken.").' }),
});

/** API field and its success message, per domain field. */
const FIELDS: Record<ProfileField, readonly [string, string]> = {
  firstName: ['first_name', 'First name successfully changed'],
  lastName: ['last_name', 'Last name successfully changed'],
  patronymic: ['patronymic', 'Patronymic successfully changed'],
  address: ['address', 'Address successfully changed'],
  email: ['email', 'Email successfully changed'],
  phone: ['phone', 'Phone successfully changed'],
  password: ['password', 'Password successfully changed'],
};

const notFound = () => new DomainError('not_found', 'Not found.');

export const userRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const staffOnly = { kind: 'authenticated', principals: STAFF } as const;

  app.post('/users', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['users'],
      summary: 'A staff member registers with email and password (public); 409 only for an email or phone someone else has confirmed.',
      body: RegisterBody,
      response: { 201: StaffProfile, ...errorReplies(400, 409, 415) },
    },
  }, async (request, reply) => {
    const body = request.body;
    const { userId, position } = await registerUser(
      deps,
      {
        userId: deps.newId(),
        email: body.email.toLowerCase(),
        phone: body.phone === undefined ? null : deps.normalizePhone(body.phone)!,
        password: body.password,
        profile: { firstName: body.first_name ?? '', lastName: body.last_name ?? '', patronymic: body.patronymic ?? '', address: body.address ?? '' },
        now: deps.now(),
      },
      metadataOf(request),
    );
    await deps.awaitProjections(position, ['users']);
    const row = await findUser(deps.db, userId);
    if (!row) throw new NotVisibleYet(userId);
    return reply.code(201).send(staffProfile(row));
  });

  app.get('/users/me', {
    config: { access: staffOnly },
    schema: { tags: ['users'], summary: 'The signed-in staff user’s profile.', response: { 200: StaffProfile, ...errorReplies(401, 403, 404) } },
  }, async (request) => {
    const row = await findUser(deps.db, principalOf(request).id);
    if (!row || row.deleted_at !== null) throw notFound();
    return staffProfile(row);
  });

  /**
   * Whether the request changes the password, the login email or the login
   * phone, the changes that need re-authentication. Sending the current email
   * again (a form posted whole) changes nothing and needs no proof.
   */
  async function changesLogin(userId: string, changes: UserChanges, password: string | undefined): Promise<boolean> {
    if (password !== undefined) return true;
    if (changes.email === undefined && changes.phone === undefined) return false;
    const { state } = await loadState(deps.store, userDecider, userStream(userId));
    if (state.status !== 'active') throw notFound();
    return (changes.email ?? state.email) !== state.email || (changes.phone ?? state.phone) !== state.phone;
  }

  app.patch('/users/me', {
    // No per-IP cap: guessing current_password needs the account's own token, and
    // checkReauthentication locks the account after a few wrong passwords.
    config: { access: staffOnly },
    schema: {
      tags: ['users'],
      summary:
        'Change own profile fields; the reply says per field what changed and what could not. Changing the password, email or phone needs ' +
          '`current_password` or a `code` from POST /auth/reauthenticate (400 and nothing changes without). A new password ends every session.',
      body: ChangeBody,
      response: { 200: ChangeReport, ...errorReplies(400, 401, 403, 404, 415, 429) },
    },
  }, async (request) => {
    const { first_name, last_name, patronymic, address, email, phone, password, current_password, code } = request.body;
    const userId = principalOf(request).id;
    const changes: UserChanges = {
      ...(first_name === undefined ? {} : { firstName: first_name }),
      ...(last_name === undefined ? {} : { lastName: last_name }),
      ...(patronymic === undefined ? {} : { patronymic }),
      ...(address === undefined ? {} : { address }),
      ...(email === undefined ? {} : { email: email.toLowerCase() }),
      ...(phone === undefined ? {} : { phone: deps.normalizePhone(phone)! }),
    };
    if (await changesLogin(userId, changes, password)) {
      await checkReauthentication(deps, { subject: { id: userId, kind: 'user' }, currentPassword: current_password, code });
    }
    const outcome = await changeUserProfile(deps, { userId, changes, password, now: deps.now() }, metadataOf(request));
    await deps.awaitProjections(outcome.position, ['users']);
    const success = Object.fromEntries(outcome.changed.map((field) => FIELDS[field]));
    const error = Object.fromEntries(Object.entries(outcome.refused).map(([field, reason]) => [FIELDS[field as ProfileField][0], reason]));
    return { success, error };
  });

  app.delete('/users/me', {
    config: { access: staffOnly },
    schema: {
      tags: ['users'],
      summary: 'Delete own account, with `current_password` or a `code` from POST /auth/reauthenticate: sessions end, the email and phone it owned become ' +
        'free, every membership ends (409 for the only owner of an organization).',
      body: Type.Object({ current_password: ChangeBody.properties.current_password, code: ChangeBody.properties.code }),
      response: { 200: Type.Object({ detail: Type.String() }), ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request) => {
    const userId = principalOf(request).id;
    // A token alone (maybe a stolen one) cannot end an account.
    await checkReauthentication(deps, { subject: { id: userId, kind: 'user' }, currentPassword: request.body.current_password, code: request.body.code });
    const { position, left } = await deleteUser(deps, { userId, now: deps.now() }, metadataOf(request));
    await Promise.all([deps.awaitProjections(position, ['users']), deps.awaitProjections(left, ['organizations'])]);
    return { detail: 'Account deleted.' };
  });
};
