import Type, { type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import * as appointment from './scheduling/appointment.js';
import * as clientAudit from './clients/client-audit.js';
import * as clientRecord from './clients/client-record.js';
import * as client from './clients/client.js';
import * as contact from './identity/contact.js';
import * as migration from './clients/migration.js';
import * as organization from './organizations/organization.js';
import * as place from './scheduling/place.js';
import * as schedule from './scheduling/schedule.js';
import * as specialist from './scheduling/specialist.js';
import * as user from './identity/user.js';

// The data schema of every event type written today, checked on append
// (src/store/validated.ts): an event that does not match is a programming
// error and never reaches the log, where every projection would have to live
// with it. Legacy types (PhoneReserved, ClientJoinedOrganization...) are read
// (src/events/catalogue.ts) but no longer written, so they are not here and an
// append of one is refused.

const dataSchemas: Readonly<Record<string, TSchema>> = {
  AppointmentBooked: appointment.AppointmentBookedData,
  AppointmentRescheduled: appointment.AppointmentRescheduledData,
  AppointmentClaimRejected: appointment.AppointmentClaimRejectedData,
  AppointmentConfirmed: appointment.AppointmentConfirmedData,
  AppointmentCompleted: appointment.AppointmentCompletedData,
  AppointmentCancelled: appointment.AppointmentCancelledData,
  AppointmentMarkedNoShow: appointment.AppointmentMarkedNoShowData,
  AppointmentCostChanged: appointment.AppointmentCostChangedData,

  ClientHistoryViewed: clientAudit.ClientHistoryViewedData,
  ClientRecordHistoryViewed: clientRecord.ClientRecordHistoryViewedData,

  ClientRecordOpened: clientRecord.ClientRecordOpenedData,
  ClientRecordChanged: clientRecord.ClientRecordChangedData,
  ClientRecordLinked: clientRecord.ClientRecordLinkedData,
  ClientRecordUnlinked: clientRecord.ClientRecordUnlinkedData,
  ClientRecordRemoved: clientRecord.ClientRecordRemovedData,

  ClientRegistered: client.ClientRegisteredData,
  ClientProfileChanged: client.ClientProfileChangedData,
  ClientPhoneChanged: client.ClientPhoneChangedData,
  ClientPasswordChanged: client.ClientPasswordChangedData,
  PhoneVerificationRequested: client.PhoneVerificationRequestedData,
  PhoneVerified: client.PhoneVerifiedData,
  LoginCodeRequested: client.LoginCodeRequestedData,
  ClientReauthenticationRequested: client.ClientReauthenticationRequestedData,
  ClientLinkedToRecord: client.ClientLinkedToRecordData,
  ClientUnlinkedFromRecord: client.ClientUnlinkedFromRecordData,

  ContactOwned: contact.ContactOwnershipData,
  ContactReleased: contact.ContactOwnershipData,

  TrustModelMigrated: migration.TrustModelMigratedData,

  OrganizationCreated: organization.OrganizationCreatedData,
  OrganizationUpdated: organization.OrganizationUpdatedData,
  MemberAdded: organization.MemberAddedData,
  MemberRoleChanged: organization.MemberRoleChangedData,
  MemberRemoved: organization.MemberRemovedData,
  MemberInvited: organization.MemberInvitedData,
  InvitationAccepted: organization.InvitationAcceptedData,
  InvitationDeclined: organization.InvitationDeclinedData,
  InvitationRevoked: organization.InvitationRevokedData,

  PlaceCreated: place.PlaceCreatedData,
  PlaceUpdated: place.PlaceUpdatedData,
  PlaceRemoved: place.PlaceRemovedData,

  SlotClaimed: schedule.SlotClaimedData,
  SlotReleased: schedule.SlotReleasedData,

  SpecialistCreated: specialist.SpecialistCreatedData,
  SpecialistUpdated: specialist.SpecialistUpdatedData,
  SpecialistRemoved: specialist.SpecialistRemovedData,
  WorkingHoursSet: specialist.WorkingHoursSetData,

  UserRegistered: user.UserRegisteredData,
  UserProfileChanged: user.UserProfileChangedData,
  UserPasswordChanged: user.UserPasswordChangedData,
  UserDeleted: user.UserDeletedData,
  PlatformAdminGranted: user.PlatformAdminGrantedData,
  EmailVerificationRequested: user.EmailVerificationRequestedData,
  EmailVerified: user.EmailVerifiedData,
  StaffPhoneVerificationRequested: user.StaffPhoneVerificationRequestedData,
  StaffPhoneVerified: user.StaffPhoneVerifiedData,
  UserReauthenticationRequested: user.UserReauthenticationRequestedData,
};

const Metadata = Type.Object({
  actor: Type.Object({ kind: Type.Union(['client', 'user', 'admin', 'system', 'anonymous'].map((k) => Type.Literal(k))), id: Type.Optional(Type.String()) }),
  correlationId: Type.String(),
  causationId: Type.String(),
  requestId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

/**
 * The schema with every object closed (additionalProperties: false), however
 * it was built: `Type.Partial` and spreads of `.properties` drop the option,
 * and the HTTP schemas reuse these declarations, so it is applied here, once.
 * Records (patternProperties) are left as they are: their keys are data.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = key === 'const' || key === 'enum' || key === 'default' ? value : closed(value);
  if ('properties' in copy && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

const compile = (schema: TSchema) => Compile(closed(schema) as TSchema);
const validators = new Map(Object.entries(dataSchemas).map(([type, schema]) => [type, compile(schema)]));
const metadataValidator = compile(Metadata);

/** Event types that may be appended. */
export const writableEventTypes: ReadonlySet<string> = new Set(validators.keys());

type Validator = ReturnType<typeof compile>;

/** Where a value first fails its schema: a JSON pointer (the data's root is '/') and why, never the value. */
function firstFailure(validator: Validator, value: unknown): string {
  const errors = [...validator.Errors(value)];
  // The failure that names the deepest path says the most ("/changes/extra must not be there").
  const deepest = errors.reduce<(typeof errors)[number] | undefined>((best, e) => (best && best.instancePath.length >= e.instancePath.length ? best : e), undefined);
  if (!deepest) return '/: does not match';
  const why = deepest.keyword === 'boolean' ? 'is not a field the schema names' : deepest.message;
  return `${deepest.instancePath || '/'}: ${why}`;
}

/**
 * Why an event to append does not match its type's schema (its type is
 * unknown, or a path in its data or metadata fails), or undefined when it matches.
 */
export function eventSchemaFailure(event: { type: string; data: unknown; metadata: unknown }): string | undefined {
  const validator = validators.get(event.type);
  if (!validator) return 'unknown event type';
  if (!validator.Check(event.data)) return `data ${firstFailure(validator, event.data)}`;
  if (!metadataValidator.Check(event.metadata)) return `metadata ${firstFailure(metadataValidator, event.metadata)}`;
  return undefined;
}
