import Type from 'typebox';
import type { ClientRow } from '../db/database.js';
import type { ClientProfile } from '../events/client.js';
import { Birthday, Email, FreeText, Name, Phone, Timestamp, Uuid } from './schemas.js';
import { Nullable } from '../events/schema.js';

// The client record as the API speaks it (seeds 000 and 001, unified names).

export const Links = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 500 }), { description: 'e.g. {"vk": "vk.com/id1"}', maxProperties: 20 });

/** Every editable profile field, all optional (PATCH). */
export const ClientProfileFields = {
  first_name: Type.Optional(Name),
  last_name: Type.Optional(Name),
  patronymic: Type.Optional(Name),
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  birthday: Type.Optional(Type.Union([Birthday, Type.Null()])),
  sex: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  address: Type.Optional(FreeText),
  additional_info: Type.Optional(FreeText),
  links: Type.Optional(Links),
};

export interface ClientProfileInput {
  first_name?: string;
  last_name?: string;
  patronymic?: string;
  email?: string | null;
  birthday?: string | null;
  sex?: string | null;
  address?: string;
  additional_info?: string;
  links?: Record<string, string>;
}

/** The fields given, in domain names; absent fields stay absent. */
export function profileChanges(body: ClientProfileInput): Partial<ClientProfile> {
  const changes: Partial<ClientProfile> = {};
  if (body.first_name !== undefined) changes.firstName = body.first_name;
  if (body.last_name !== undefined) changes.lastName = body.last_name;
  if (body.patronymic !== undefined) changes.patronymic = body.patronymic;
  if (body.email !== undefined) changes.email = body.email === null ? null : body.email.toLowerCase();
  if (body.birthday !== undefined) changes.birthday = body.birthday;
  if (body.sex !== undefined) changes.sex = body.sex;
  if (body.address !== undefined) changes.address = body.address;
  if (body.additional_info !== undefined) changes.additionalInfo = body.additional_info;
  if (body.links !== undefined) changes.links = body.links;
  return changes;
}

/** A whole profile: what is not given is empty (registration, PUT). */
export function fullProfile(body: ClientProfileInput): ClientProfile {
  return { firstName: '', lastName: '', patronymic: '', email: null, birthday: null, sex: null, address: '', additionalInfo: '', links: {}, ...profileChanges(body) };
}

export const OrganizationRef = Type.Object({ id: Uuid, name: Type.String() });

export const ClientReply = Type.Object({
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
  links: Type.Record(Type.String(), Type.String()),
  organizations: Type.Array(OrganizationRef, { description: 'Only the organizations the caller may see.' }),
  registration_date: Timestamp,
  updated_at: Timestamp,
});

export function clientReply(row: ClientRow, organizations: { id: string; name: string }[]) {
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
    links: row.links,
    organizations,
    registration_date: new Date(row.registered_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export { Phone };
