import type { EventCatalogue } from '../catalogue.js';
import * as contact from './contact.js';
import * as user from './user.js';
import { ownedBy } from '../personal.js';

/** The events of staff accounts and of login contacts, as they are written today. */
export const identityEvents: EventCatalogue = {
  schemas: {
    ContactOwned: contact.ContactOwnershipData,
    ContactReleased: contact.ContactOwnershipData,
    ContactStreamsPseudonymised: contact.ContactStreamsPseudonymisedData,

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
  // A login contact is its owner's personal data; a staff user's account is theirs.
  personal: {
    ContactOwned: ownedBy('ownerId', ['contact']),
    ContactReleased: ownedBy('ownerId', ['contact']),
    UserRegistered: ownedBy('userId', ['email', 'phone', 'profile']),
    UserProfileChanged: ownedBy('userId', ['changes']),
    EmailVerificationRequested: ownedBy('userId', ['email']),
    EmailVerified: ownedBy('userId', ['email']),
    StaffPhoneVerificationRequested: ownedBy('userId', ['phone']),
    StaffPhoneVerified: ownedBy('userId', ['phone']),
    UserReauthenticationRequested: ownedBy('userId', ['destination']),
  },
};
