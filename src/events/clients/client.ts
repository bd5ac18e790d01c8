import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';
import { Nullable } from '../schema.js';

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

const Challenge = { clientId: Type.String(), phone: Type.String(), challengeId: Type.String(), requestedAt: Type.String() };
const RecordLink = { clientId: Type.String(), organizationId: Type.String(), recordId: Type.String() };

export const PhoneVerificationRequestedData = Type.Object(Challenge);
export const PhoneVerifiedData = Type.Object({ clientId: Type.String(), phone: Type.String(), verifiedAt: Type.String() });
export const LoginCodeRequestedData = Type.Object(Challenge);
export const ClientReauthenticationRequestedData = Type.Object(Challenge);
export const ClientLinkedToRecordData = Type.Object({ ...RecordLink, linkedAt: Type.String() });
export const ClientUnlinkedFromRecordData = Type.Object({ ...RecordLink, unlinkedAt: Type.String() });
export const ClientProfileChangedData = Type.Object({ clientId: Type.String(), changes: Type.Partial(ClientProfile), changedAt: Type.String() });
export const ClientPhoneChangedData = Type.Object({ clientId: Type.String(), phone: Type.String(), previousPhone: Type.String(), changedAt: Type.String() });
export const ClientPasswordChangedData = Type.Object({ clientId: Type.String(), changedAt: Type.String() });
export const ClientErasedData = Type.Object({
  clientId: Type.String(),
  /** The person themself, or a platform admin on their verified request (the reason is in the metadata). */
  by: Type.Union([Type.Literal('client'), Type.Literal('platform_admin')]),
  /** The organizations' records linked to the account, erased with it (their keys destroyed too). */
  records: Type.Array(Type.String()),
  erasedAt: Type.String(),
});

/** A code was asked for; the worker sends it. `challengeId` names the code's row, never the code. */
export type PhoneVerificationRequested = Event<'PhoneVerificationRequested', Static<typeof PhoneVerificationRequestedData>>;
export type PhoneVerified = Event<'PhoneVerified', Static<typeof PhoneVerifiedData>>;
export type LoginCodeRequested = Event<'LoginCodeRequested', Static<typeof LoginCodeRequestedData>>;

/** A code to confirm a sensitive change (password, phone) was asked for; sent to the verified phone. */
export type ClientReauthenticationRequested = Event<'ClientReauthenticationRequested', Static<typeof ClientReauthenticationRequestedData>>;

/**
 * The person linked an organization's record of them to their account (they
 * booked there, or accepted it). Legacy `ClientJoinedOrganization` events are
 * read as this (src/events/catalogue.ts).
 */
export type ClientLinkedToRecord = Event<'ClientLinkedToRecord', Static<typeof ClientLinkedToRecordData>>;
export type ClientUnlinkedFromRecord = Event<'ClientUnlinkedFromRecord', Static<typeof ClientUnlinkedFromRecordData>>;

/** Only the profile fields that changed, with their new values. */
export type ClientProfileChanged = Event<'ClientProfileChanged', Static<typeof ClientProfileChangedData>>;
/** The new phone must be verified (and so owned) before it gives any right. */
export type ClientPhoneChanged = Event<'ClientPhoneChanged', Static<typeof ClientPhoneChangedData>>;
/** That the password changed, never the password or its hash. */
export type ClientPasswordChanged = Event<'ClientPasswordChanged', Static<typeof ClientPasswordChangedData>>;

/**
 * The person's right to erasure (GDPR art. 17): the account's key and those
 * of its linked records are destroyed, so every personal field they wrote
 * reads "[erased]" from now on; the account takes no command any more. It
 * holds no personal data itself (docs/privacy.md, "Erasure").
 */
export type ClientErased = Event<'ClientErased', Static<typeof ClientErasedData>>;

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
  | ClientUnlinkedFromRecord
  | ClientErased;

/** What the account read model projects. */
export const clientAccountEventTypes: readonly ClientEvent['type'][] = ['ClientRegistered', 'ClientProfileChanged', 'ClientPhoneChanged', 'ClientPasswordChanged', 'PhoneVerified', 'ClientErased'];
