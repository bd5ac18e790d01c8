import type { Event } from '../event.js';
import type { EventCatalogue } from '../catalogue.js';
import * as clientAudit from './client-audit.js';
import * as clientRecord from './client-record.js';
import { recordIdFor } from './client-record.js';
import * as client from './client.js';
import * as migration from './migration.js';
import { ownedBy } from '../personal.js';

type Data = Record<string, unknown>;

/** A legacy membership event, read as the link of the account to the record made from it. */
const legacyLink =
  (type: 'ClientLinkedToRecord' | 'ClientUnlinkedFromRecord', at: 'linkedAt' | 'unlinkedAt', legacyAt: string) =>
  (data: Data): Event => ({
    type,
    data: { clientId: data.clientId, organizationId: data.organizationId, recordId: recordIdFor(String(data.organizationId), String(data.clientId)), [at]: data[legacyAt] },
  });

/** People's accounts, organizations' records of them, who looked at their history, and the move into the trust model. */
export const clientEvents: EventCatalogue = {
  schemas: {
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
    ClientErased: client.ClientErasedData,

    ClientRecordOpened: clientRecord.ClientRecordOpenedData,
    ClientRecordChanged: clientRecord.ClientRecordChangedData,
    ClientRecordLinked: clientRecord.ClientRecordLinkedData,
    ClientRecordUnlinked: clientRecord.ClientRecordUnlinkedData,
    ClientRecordRemoved: clientRecord.ClientRecordRemovedData,
    ClientRecordErased: clientRecord.ClientRecordErasedData,

    ClientHistoryViewed: clientAudit.ClientHistoryViewedData,
    ClientRecordHistoryViewed: clientRecord.ClientRecordHistoryViewedData,

    TrustModelMigrated: migration.TrustModelMigratedData,
  },
  // A person's account is encrypted with the person's key; an organization's
  // record (and what it notes of appointments) with the record's own key.
  personal: {
    ClientRegistered: ownedBy('clientId', ['phone', 'profile']),
    ClientProfileChanged: ownedBy('clientId', ['changes']),
    ClientPhoneChanged: ownedBy('clientId', ['phone', 'previousPhone']),
    PhoneVerificationRequested: ownedBy('clientId', ['phone']),
    PhoneVerified: ownedBy('clientId', ['phone']),
    LoginCodeRequested: ownedBy('clientId', ['phone']),
    ClientReauthenticationRequested: ownedBy('clientId', ['phone']),
    ClientRecordOpened: ownedBy('recordId', ['phone', 'profile']),
    ClientRecordChanged: ownedBy('recordId', ['changes']),
  },
  upcasters: {
    // v1 -> v2: profiles gained `links`.
    ClientRegistered: [(data) => ({ ...data, schemaVersion: 2, profile: { links: {}, ...(data.profile as Data) } })],
  },
  // A client "joined" an organization: in the trust model, their account is
  // linked to that organization's record of them, made from the membership
  // (docs/trust-model.md, "Migrating existing data").
  renamed: {
    ClientJoinedOrganization: legacyLink('ClientLinkedToRecord', 'linkedAt', 'joinedAt'),
    ClientLeftOrganization: legacyLink('ClientUnlinkedFromRecord', 'unlinkedAt', 'leftAt'),
  },
};
