import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { registerUser } from '../../workflows/identity/staff-accounts.js';
import { loadState } from '../../commands/load-state.js';
import { changeUserProfile, deleteUser, type ProfileField, type ProfileOutcome } from '../../workflows/identity/staff-profile.js';
import { userDecider } from '../../commands/identity/user.js';
import { userStream, type UserChanges } from '../../events/identity/user.js';
import { findUser } from '../../projections/identity/users.js';
import type { UserRow } from '../../projections/identity/tables.js';
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

/** A registration as the API takes it: email as typed, phone in any notation. */
export interface StaffRegistration {
  readonly email: string;
  readonly password: string;
  readonly phone?: string | undefined;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly patronymic?: string | undefined;
  readonly address?: string | undefined;
}

/** Registers a staff user (seed 003) and answers the profile once the read model shows it. */
export async function registerStaff(deps: Dependencies, request: FastifyRequest, body: StaffRegistration): Promise<UserRow> {
  const { userId, position } = await registerUser(
    deps,
    {
      userId: deps.newId(),
      email: body.email.toLowerCase(),
      phone: body.phone === undefined ? null : deps.normalizePhone(body.phone)!,
      password: body.password,
      profile: { firstName: body.firstName ?? '', lastName: body.lastName ?? '', patronymic: body.patronymic ?? '', address: body.address ?? '' },
      now: deps.now(),
    },
    metadataOf(request),
  );
  await deps.awaitProjections(position, ['users']);
  const row = await findUser(deps.db, userId);
  if (!row) throw new NotVisibleYet(userId);
  return row;
}

/** The signed-in user's own row; 404 once deleted. */
export async function ownProfile(deps: Dependencies, userId: string): Promise<UserRow> {
  const row = await findUser(deps.db, userId);
  if (!row || row.deleted_at !== null) throw notFound();
  return row;
}

/**
 * Whether the request changes the password, the login email or the login
 * phone, the changes that need re-authentication. Sending the current email
 * again (a form posted whole) changes nothing and needs no proof.
 */
async function changesLogin(deps: Dependencies, userId: string, changes: UserChanges, password: string | undefined): Promise<boolean> {
  if (password !== undefined) return true;
  if (changes.email === undefined && changes.phone === undefined) return false;
  const { state } = await loadState(deps.store, userDecider, userStream(userId));
  if (state.status !== 'active') throw notFound();
  return (changes.email ?? state.email) !== state.email || (changes.phone ?? state.phone) !== state.phone;
}

export interface OwnProfileChange {
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly patronymic?: string | undefined;
  readonly address?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly password?: string | undefined;
  readonly currentPassword?: string | undefined;
  readonly code?: string | undefined;
}

/**
 * The signed-in user changes their own profile: a new password, login email
 * or login phone needs re-authentication (the whole request is refused
 * without it); the outcome says per field what changed and what could not.
 */
export async function changeOwnProfile(deps: Dependencies, request: FastifyRequest, body: OwnProfileChange): Promise<ProfileOutcome> {
  const { firstName, lastName, patronymic, address, email, phone, password } = body;
  const userId = principalOf(request).id;
  const changes: UserChanges = {
    ...(firstName === undefined ? {} : { firstName }),
    ...(lastName === undefined ? {} : { lastName }),
    ...(patronymic === undefined ? {} : { patronymic }),
    ...(address === undefined ? {} : { address }),
    ...(email === undefined ? {} : { email: email.toLowerCase() }),
    ...(phone === undefined ? {} : { phone: deps.normalizePhone(phone)! }),
  };
  if (await changesLogin(deps, userId, changes, password)) {
    await checkReauthentication(deps, { subject: { id: userId, kind: 'user' }, currentPassword: body.currentPassword, code: body.code });
  }
  const outcome = await changeUserProfile(deps, { userId, changes, password, now: deps.now() }, metadataOf(request));
  await deps.awaitProjections(outcome.position, ['users']);
  return outcome;
}

/** The signed-in user deletes their account, with re-authentication: a token alone (maybe a stolen one) cannot end it. */
export async function deleteOwnAccount(deps: Dependencies, request: FastifyRequest, proof: { currentPassword?: string | undefined; code?: string | undefined }): Promise<void> {
  const userId = principalOf(request).id;
  await checkReauthentication(deps, { subject: { id: userId, kind: 'user' }, currentPassword: proof.currentPassword, code: proof.code });
  const { position, left } = await deleteUser(deps, { userId, now: deps.now() }, metadataOf(request));
  await Promise.all([deps.awaitProjections(position, ['users']), deps.awaitProjections(left, ['organizations'])]);
}

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
    const { email, password, first_name, last_name, patronymic, address, phone } = request.body;
    const row = await registerStaff(deps, request, { email, password, phone, firstName: first_name, lastName: last_name, patronymic, address });
    return reply.code(201).send(staffProfile(row));
  });

  app.get('/users/me', {
    config: { access: staffOnly },
    schema: { tags: ['users'], summary: 'The signed-in staff user’s profile.', response: { 200: StaffProfile, ...errorReplies(401, 403, 404) } },
  }, async (request) => staffProfile(await ownProfile(deps, principalOf(request).id)));

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
    const outcome = await changeOwnProfile(deps, request, {
      firstName: first_name, lastName: last_name, patronymic, address, email, phone, password, currentPassword: current_password, code,
    });
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
    await deleteOwnAccount(deps, request, { currentPassword: request.body.current_password, code: request.body.code });
    return { detail: 'Account deleted.' };
  });
};
