import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ClientRow } from '../db/database.js';
import { DomainError } from '../commands/errors.js';
import { findClient } from '../projections/clients.js';
import { principalOf } from './authenticate.js';
import { errorReplies, Timestamp, Uuid } from './schemas.js';
import type { Services } from './services.js';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ClientProfileReply = Type.Object({
  id: Uuid,
  phone: Type.String(),
  confirmed_phone: Type.Boolean(),
  email: Nullable(Type.String()),
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
  birthday: Nullable(Type.String()),
  sex: Nullable(Type.String()),
  address: Type.String(),
  additional_info: Type.String(),
  registration_date: Timestamp,
  updated_at: Timestamp,
});

export function clientProfile(row: ClientRow) {
  return {
    id: row.id,
    phone: row.phone,
    confirmed_phone: row.confirmed_phone,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    patronymic: row.patronymic,
    birthday: row.birthday,
    sex: row.sex,
    address: row.address,
    additional_info: row.additional_info,
    registration_date: new Date(row.registered_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export const clientRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/clients/me', {
    config: { access: { kind: 'authenticated', principals: ['client'] } },
    schema: {
      tags: ['clients'],
      summary: 'The signed-in client’s own profile.',
      security: [{ bearer: [] }],
      response: { 200: ClientProfileReply, ...errorReplies(401, 403, 404) },
    },
  }, async (request) => {
    const row = await findClient(services.db, principalOf(request).id);
    if (!row) throw new DomainError('not_found', 'Not found.');
    return clientProfile(row);
  });
};
