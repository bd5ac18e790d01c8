import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DomainError } from '../commands/errors.js';
import { registerUser } from '../commands/staff-accounts.js';
import { changeUserProfile, deleteUser, type ProfileField } from '../commands/staff-profile.js';
import type { UserChanges } from '../events/user.js';
import { findUser } from '../projections/users.js';
import { STAFF } from './access.js';
import { principalOf } from './authenticate.js';
import { metadataOf } from './metadata.js';
import { Email, errorReplies, FreeText, Name, Password, Phone } from './schemas.js';
import { NotVisibleYet } from './errors.js';
import type { Services } from './services.js';
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

const ChangeBody = Type.Partial(RegisterBody);

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

export const userRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const staffOnly = { kind: 'authenticated', principals: STAFF } as const;

  app.post('/users', {
    config: { access: { kind: 'public' } },
    schema: {
      tags: ['users'],
      summary: 'A staff member registers with email and password (public).',
      body: RegisterBody,
      response: { 201: StaffProfile, ...errorReplies(400, 409, 415) },
    },
  }, async (request, reply) => {
    const body = request.body;
    const { userId, position } = await registerUser(
      services,
      {
        userId: services.newId(),
        email: body.email.toLowerCase(),
        phone: body.phone === undefined ? null : services.normalizePhone(body.phone)!,
        password: body.password,
        profile: { firstName: body.first_name ?? '', lastName: body.last_name ?? '', patronymic: body.patronymic ?? '', address: body.address ?? '' },
        now: services.now(),
      },
      metadataOf(request),
    );
    await services.awaitProjections(position, ['users']);
    const row = await findUser(services.db, userId);
    if (!row) throw new NotVisibleYet(userId);
    return reply.code(201).send(staffProfile(row));
  });

  app.get('/users/me', {
    config: { access: staffOnly },
    schema: { tags: ['users'], summary: 'The signed-in staff user’s profile.', security: [{ bearer: [] }], response: { 200: StaffProfile, ...errorReplies(401, 403, 404) } },
  }, async (request) => {
    const row = await findUser(services.db, principalOf(request).id);
    if (!row || row.deleted_at !== null) throw notFound();
    return staffProfile(row);
  });

  app.patch('/users/me', {
    config: { access: staffOnly },
    schema: {
      tags: ['users'],
      summary: 'Change own profile fields; the reply says per field what changed and what could not. A new password ends every session.',
      security: [{ bearer: [] }],
      body: ChangeBody,
      response: { 200: ChangeReport, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const { first_name, last_name, patronymic, address, email, phone, password } = request.body;
    const changes: UserChanges = {
      ...(first_name === undefined ? {} : { firstName: first_name }),
      ...(last_name === undefined ? {} : { lastName: last_name }),
      ...(patronymic === undefined ? {} : { patronymic }),
      ...(address === undefined ? {} : { address }),
      ...(email === undefined ? {} : { email: email.toLowerCase() }),
      ...(phone === undefined ? {} : { phone: services.normalizePhone(phone)! }),
    };
    const outcome = await changeUserProfile(services, { userId: principalOf(request).id, changes, password, now: services.now() }, metadataOf(request));
    await services.awaitProjections(outcome.position, ['users']);
    const success = Object.fromEntries(outcome.changed.map((field) => FIELDS[field]));
    const error = Object.fromEntries(Object.entries(outcome.refused).map(([field, reason]) => [FIELDS[field as ProfileField][0], reason]));
    return { success, error };
  });

  app.delete('/users/me', {
    config: { access: staffOnly },
    schema: {
      tags: ['users'],
      summary: 'Delete own account: sessions end, the email and phone become free, every membership ends (409 for the only owner of an organization).',
      security: [{ bearer: [] }],
      response: { 200: Type.Object({ detail: Type.String() }), ...errorReplies(401, 403, 404, 409) },
    },
  }, async (request) => {
    const { position, left } = await deleteUser(services, { userId: principalOf(request).id, now: services.now() }, metadataOf(request));
    await Promise.all([services.awaitProjections(position, ['users']), services.awaitProjections(left, ['organizations'])]);
    return { detail: 'Account deleted.' };
  });
};
