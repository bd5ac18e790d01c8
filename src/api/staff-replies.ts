import Type from 'typebox';
import type { UserRow } from '../db/database.js';
import { Timestamp, Uuid } from './schemas.js';
import { Nullable } from '../events/schema.js';

// How staff users appear in replies: in full to themselves and as executors
// (seed 003 `user/`), in short as an organization's creator or member.

export const StaffProfile = Type.Object({
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
});

export const StaffSummary = Type.Object({
  id: Uuid,
  first_name: Type.String(),
  last_name: Type.String(),
  patronymic: Type.String(),
  email: Type.String(),
  phone: Nullable(Type.String()),
});

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

export function staffSummary(row: UserRow) {
  return { id: row.id, first_name: row.first_name, last_name: row.last_name, patronymic: row.patronymic, email: row.email, phone: row.phone };
}
