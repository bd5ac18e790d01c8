import type { EventCatalogue } from '../catalogue.js';
import * as entry from './entry.js';

/** Waitlist entries and their offers. */
export const waitlistEvents: EventCatalogue = {
  schemas: {
    WaitlistJoined: entry.WaitlistJoinedData,
    WaitlistOffered: entry.WaitlistOfferedData,
    WaitlistOfferLapsed: entry.WaitlistOfferLapsedData,
    WaitlistOfferAccepted: entry.WaitlistOfferAcceptedData,
    WaitlistOfferExpired: entry.WaitlistOfferExpiredData,
    WaitlistWithdrawn: entry.WaitlistWithdrawnData,
  },
};
