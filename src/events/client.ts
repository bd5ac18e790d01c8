import Type, { type Static } from 'typebox';
import type { Event } from './event.js';

// Stream `client-{clientId}`: one person who books, whatever organizations they belong to.

export const clientStream = (clientId: string) => `client-${clientId}`;

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ClientProfile = Type.Object({
  firstName: Type.String(),
  lastName: Type.String(),
  patronymic: Type.String(),
  email: Nullable(Type.String()),
  birthday: Nullable(Type.String()),
  sex: Nullable(Type.String()),
  address: Type.String(),
  additionalInfo: Type.String(),
});
export type ClientProfile = Static<typeof ClientProfile>;

export const ClientRegisteredData = Type.Object({
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

export type ClientEvent =
  | ClientRegistered
  | PhoneVerificationRequested
  | PhoneVerified
  | LoginCodeRequested
  | ClientJoinedOrganization
  | ClientLeftOrganization;
