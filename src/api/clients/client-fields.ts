import Type from 'typebox';
import type { ClientAccountRow, ClientRecordRow } from '../../projections/clients/tables.js';
import type { ClientProfile } from '../../events/clients/client.js';
import { SHAREABLE, type Shareable } from '../../events/clients/client-record.js';
import { Nullable } from '../../events/schema.js';
import { Birthday, Email, FreeText, Label, Name, Phone, Timestamp, Uuid } from '../schemas.js';
import { named } from '../openapi/components.js';

// A client as the API speaks it (seeds 000 and 001, unified names): the
// person's own account, and an organization's record of a client.

export const Links = Type.Record(Label, Type.String({ maxLength: 500 }), { description: 'e.g. {"vk": "vk.com/id1"}', maxProperties: 20 });

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
  return {
    firstName: '',
    lastName: '',
    patronymic: '',
    email: null,
    birthday: null,
    sex: null,
    address: '',
    additionalInfo: '',
    links: {},
    ...profileChanges(body)
  };
}

/** Account fields a person may share with an organization, by API name. */
const SHAREABLE_BY_API_NAME = new Map(Object.entries(SHAREABLE).map(([field, name]) => [name as string, field as Shareable]));
export const ShareList = Type.Array(
  Type.Enum([...SHAREABLE_BY_API_NAME.keys()]),
  { uniqueItems: true, maxItems: SHAREABLE_BY_API_NAME.size, description: 'Account fields this organization may see while linked.' }
);
export const shareableOf = (fields: readonly string[] = []): Shareable[] => fields.map((f) => SHAREABLE_BY_API_NAME.get(f)!);
export const apiNameOfShared = (field: string): string => SHAREABLE[field as Shareable] ?? field;

export const OrganizationRef = Type.Object({ id: Uuid, name: Type.String() });

const ProfileReply = {
  email: Nullable(Type.String()),
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
  birthday: Nullable(Type.String()),
  sex: Nullable(Type.String()),
  address: Type.String(),
  additional_info: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
  registration_date: Timestamp,
  updated_at: Timestamp,
};

type ProfileRow = Pick<
  ClientAccountRow,
  'email' | 'first_name' | 'last_name' | 'patronymic' | 'birthday' | 'sex' | 'address' | 'additional_info' | 'links' | 'updated_at'
>;

function profileReply(row: ProfileRow, registeredAt: Date | string) {
  return {
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    patronymic: row.patronymic,
    birthday: row.birthday,
    sex: row.sex,
    address: row.address,
    additional_info: row.additional_info,
    links: row.links,
    registration_date: new Date(registeredAt).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The person's own account, as they (or a platform admin) see it. */
export const AccountReply = named('Client', Type.Object({
  id: Uuid,
  phone: Type.String({ description: 'Login phone.' }),
  confirmed_phone: Type.Boolean(),
  ...ProfileReply,
  organizations: Type.Array(OrganizationRef, { description: 'Organizations whose record of you is linked to your account.' }),
}, { description: 'A person’s own client account: their login phone, profile, and the organizations whose records they linked.' }));

export function accountReply(row: ClientAccountRow, organizations: { id: string; name: string }[]) {
  return { id: row.id, phone: row.phone, confirmed_phone: row.confirmed_phone, ...profileReply(row, row.registered_at), organizations };
}

/** An organization's record of a client, as its staff see it. */
export const RecordReply = named('ClientRecord', Type.Object({
  id: Uuid,
  organization_id: Uuid,
  phone: Type.String({ description: 'Contact phone, as the organization wrote it (not a login).' }),
  ...ProfileReply,
  linked: Type.Boolean({ description: 'The person linked this record to their account.' }),
  shared: Type.Record(Type.String(), Nullable(Type.String()), { description: 'What the linked person shares from their account.' }),
}, { description: 'An organization’s record of a client: the organization’s own data, and what the linked person shares.' }));

export function recordReply(row: ClientRecordRow, shared: Record<string, string | null> = {}) {
  return { id: row.id, organization_id: row.organization_id, phone: row.phone, ...profileReply(row, row.created_at), linked: row.account_id !== null, shared };
}

export { Phone };
