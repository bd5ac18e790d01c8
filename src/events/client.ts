import Type, { type Static } from 'typebox';
import type { Event } from './event.js';
import { Nullable } from './schema.js';

// Stream `client-{clientId}`: one person's own ACCOUNT (a client who books):
// login phone, verification, the profile they keep themself, and which
// organization records they linked. Only the person changes it (or a
// platform admin, recorded). What an organization knows of the person lives
// in that organization's record (client-record.ts), never here.

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

/** A code to confirm a sensitive change (password, phone) was asked for; sent to the verified phone. */
export type ClientReauthenticationRequested = Event<'ClientReauthenticationRequested', { clientId: string; phone: string; challengeId: string; requestedAt: string }>;

/**
 * The person linked an organization's record of them to their account (they
 * booked there, or accepted it). Legacy `ClientJoinedOrganization` events are
 * read as this (src/events/catalogue.ts).
 */
export type ClientLinkedToRecord = Event<'ClientLinkedToRecord', { clientId: string; organizationId: string; recordId: string; linkedAt: string }>;
export type ClientUnlinkedFromRecord = Event<'ClientUnlinkedFromRecord', { clientId: string; organizationId: string; recordId: string; unlinkedAt: string }>;

/** Only the profile fields that changed, with their new values. */
export type ClientProfileChanged = Event<'ClientProfileChanged', { clientId: string; changes: Partial<ClientProfile>; changedAt: string }>;
/** The new phone must be verified (and so owned) before it gives any right. */
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
  | ClientReauthenticationRequested
  | ClientLinkedToRecord
  | ClientUnlinkedFromRecord;

/** What the account read model projects. */
export const clientAccountEventTypes: readonly ClientEvent['type'][] = ['ClientRegistered', 'ClientProfileChanged', 'ClientPhoneChanged', 'ClientPasswordChanged', 'PhoneVerified'];
