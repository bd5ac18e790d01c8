import Type from 'typebox';
import { Nullable } from '../../../events/schema.js';
import type { UserRow } from '../../../projections/identity/tables.js';
import { staffProfile } from '../../identity/staff-replies.js';
import { Timestamp, Uuid } from '../../schemas.js';
import { named } from '../../openapi/components.js';

// Seed 003's words for what /api/v1 calls first_name, last_name and phone:
// `name`, `surname` and `number`. The replies are /api/v1's, renamed.

export const UserReply = named('Seed003User', Type.Object({
  id: Uuid,
  surname: Type.String(),
  name: Type.String(),
  patronymic: Type.String(),
  address: Type.String(),
  email: Type.String(),
  number: Nullable(Type.String()),
  confirmed_email: Type.Boolean(),
  confirmed_number: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'Seed 003: a staff user’s profile.' }));

/** The user's own profile in the seed's words (to the user only: it holds the login contacts and the address). */
export function userReply(row: UserRow) {
  const profile = staffProfile(row);
  return {
    id: profile.id,
    surname: profile.last_name,
    name: profile.first_name,
    patronymic: profile.patronymic,
    address: profile.address,
    email: profile.email,
    number: profile.phone,
    confirmed_email: profile.confirmed_email,
    confirmed_number: profile.confirmed_phone,
    created_at: profile.created_at,
    updated_at: profile.updated_at,
  };
}
