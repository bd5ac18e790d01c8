import type { Processes } from '../processes.js';
import { WAITLIST_EXPIRY, WAITLIST_OFFER_SMS, WAITLIST_RELEASE, waitlistExpiryHandler, waitlistOfferSmsHandler, waitlistReactor, waitlistReleaseHandler } from './offer-jobs.js';

/** A freed time is offered to the waitlist; an offer is sent by SMS, and expires. */
export const waitlistProcesses: Processes = {
  reactors: ({ jobs, now }) => [waitlistReactor({ jobs, now })],
  jobs: ({ db, store, config, contacts, sms, now, logger }) => ({
    [WAITLIST_RELEASE]: waitlistReleaseHandler({ db, store, holdMinutes: config.waitlistHoldMinutes, now }),
    [WAITLIST_OFFER_SMS]: waitlistOfferSmsHandler({ store, db, limits: config.rateLimits, contacts, sms, now, logger }),
    [WAITLIST_EXPIRY]: waitlistExpiryHandler({ store, now }),
  }),
};
