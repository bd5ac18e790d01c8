import Type from 'typebox';
import type { UserRow } from '../../projections/identity/tables.js';
import type { MemberView, StaffName as StaffNameRow } from '../../projections/organizations/organization-queries.js';
import { Timestamp, Uuid } from '../schemas.js';
import { Nullable } from '../../events/schema.js';
import { named } from '../openapi/components.js';

// How staff users appear in replies: in full to themselves only (seed 003
// `user/`); to an organization, by name (its creator) and, for its members,
// with the work contact each chose to show. Never the login email, login
// phone or home address to anyone but the user.

export const StaffProfile = named('StaffUser', Type.Object({
  id: Uuid,
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
  address: Type.String(),
  email: Type.String(),
  phone: Nullable(Type.String()),
  confirmed_email: Type.Boolean(),
  confirmed_phone: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'A staff user’s own profile.' }));

export const StaffName = Type.Object({
  id: Uuid,
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
});

/** A member as colleagues see them. */
export const Colleague = named('Colleague', Type.Object({
  ...StaffName.properties,
  work_email: Nullable(Type.String()),
  work_phone: Nullable(Type.String()),
}, { description: 'A staff member as colleagues see them: name and work contact.' }));

export function staffProfile(row: UserRow) {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    patronymic: row.patronymic,
    address: row.address,
    email: row.email,
    phone: row.phone,
    confirmed_email: row.confirmed_email,
    confirmed_phone: row.confirmed_phone,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export function staffName(user: StaffNameRow) {
  return { id: user.id, first_name: user.first_name, last_name: user.last_name, patronymic: user.patronymic };
}

export function colleague(member: MemberView) {
  return { ...staffName(member.user), work_email: member.workContact.email, work_phone: member.workContact.phone };
}
