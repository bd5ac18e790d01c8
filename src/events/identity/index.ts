import type { EventCatalogue } from '../catalogue.js';
import * as contact from './contact.js';
import * as user from './user.js';

/** The events of staff accounts and of login contacts, as they are written today. */
export const identityEvents: EventCatalogue = {
  schemas: {
    ContactOwned: contact.ContactOwnershipData,
    ContactReleased: contact.ContactOwnershipData,

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
  },
};
