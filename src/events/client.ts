import Type, { type Static } from 'typebox';
import type { Event } from './event.js';
import { Nullable } from './schema.js';

// Stream `client-{clientId}`: one person who books, whatever organizations they belong to.

export const clientStream = (clientId: string) => `client-${clientId}`;

export const ClientProfile = Type.Object({
  firstName: Type.String(),
  lastName: Type.String(),
  patronymic: Type.String(),
  email: Nullable(Type.String()),
  birthday: Nullable(Type.String()),
  sex: Nullable(Type.String()),
  address: Type.String(),
  additionalInfo: Type.String(),
  /** Social links and the like, seed 000 (`{"vk": "vk.com/..."}`). */
  links: Type.Record(Type.String(), Type.String()),
});
export type ClientProfile = Static<typeof ClientProfile>;

export const ClientRegisteredData = Type.Object({
  /** 2 added profile.links; version 1 events are upcast (src/events/catalogue.ts). */
  schemaVersion: Type.Literal(2),
  clientId: Type.String(),
  phone: Type.String(),
  profile: ClientProfile,
  /** That a password was set, never the password or its hash. */
  passwordSet: Type.Boolean(),
  registeredAt: Type.String(),
});

export type ClientRegistered = Event<'ClientRegistered', Static<typeof ClientRegisteredData>>;

/** A code was asked for; the worker sends it. `challengeId` names the code's row, never the code. */
export type PhoneVerificationRequested = Event<'PhoneVerificationRequested', { clientId: string; phone: string; challengeId: string; requestedAt: string }>;
export type PhoneVerified = Event<'PhoneVerified', { clientId: string; phone: string; verifiedAt: string }>;
export type LoginCodeRequested = Event<'LoginCodeRequested', { clientId: string; phone: string; challengeId: string; requestedAt: string }>;

/** The client became a client of an organization (staff added them, or they booked there). */
export type ClientJoinedOrganization = Event<'ClientJoinedOrganization', { clientId: string; organizationId: string; joinedAt: string }>;
/** The organization removed the client; the person and their history remain. */
export type ClientLeftOrganization = Event<'ClientLeftOrganization', { clientId: string; organizationId: string; leftAt: string }>;

/** Only the profile fields that changed, with their new values. */
export type ClientProfileChanged = Event<'ClientProfileChanged', { clientId: string; changes: Partial<ClientProfile>; changedAt: string }>;
/** The new phone was reserved first; it must be verified again before a password login. */
export type ClientPhoneChanged = Event<'ClientPhoneChanged', { clientId: string; phone: string; previousPhone: string; changedAt: string }>;
/** That the password changed, never the password or its hash. */
export type ClientPasswordChanged = Event<'ClientPasswordChanged', { clientId: string; changedAt: string }>;

export type ClientEvent =
  | ClientRegistered
  | ClientProfileChanged
  | ClientPhoneChanged
  | ClientPasswordChanged
  | PhoneVerificationRequested
  | PhoneVerified
  | LoginCodeRequested
  | ClientJoinedOrganization
  | ClientLeftOrganization;
