import type { ActorRef } from '../../events/scheduling/schedule.js';
import type { WaitlistClient, WaitlistEvent, WaitlistStatus, WaitlistWindow } from '../../events/waitlist/entry.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';
import { addDays, isValidDate, minutesOf } from '../scheduling/zoned-time.js';

// The decider of one waitlist entry (`waitlist-{id}`, src/events/waitlist/entry.ts).
// It holds at most one open offer: a second offer is refused while one is
// open, so a freed time reaches an entry once and a retried offer changes
// nothing. Accepting and expiring are both decided here, so an offer is
// never both booked and expired.

/** The widest window a client may wait in. */
export const MAX_WINDOW_DAYS = 60;

export interface Offer {
  readonly appointmentId: string;
  /** The released claim whose time is offered. */
  readonly claimId: string;
  readonly expiresAt: string;
}

export interface WaitlistEntry {
  readonly entryId: string;
  readonly organizationId: string;
  readonly client: WaitlistClient;
  readonly serviceId: string;
  readonly specialistId: string | null;
  readonly window: WaitlistWindow;
  readonly status: WaitlistStatus;
  /** The open offer, or the last one (booked, expired). */
  readonly offer: Offer | undefined;
}

export interface WaitlistState {
  readonly entry: WaitlistEntry | undefined;
}

export type WaitlistCommand =
  | {
      type: 'JoinWaitlist';
      data: { entryId: string; organizationId: string; client: WaitlistClient; serviceId: string; specialistId: string | null; window: WaitlistWindow; by: ActorRef; now: string };
    }
  | { type: 'MakeOffer'; data: { appointmentId: string; claimId: string; specialistId: string; start: string; end: string; expiresAt: string; now: string } }
  | { type: 'LapseOffer'; data: { appointmentId: string; now: string } }
  | { type: 'AcceptOffer'; data: { by: ActorRef; now: string } }
  | { type: 'ExpireOffer'; data: { appointmentId: string; now: string } }
  | { type: 'Withdraw'; data: { by: ActorRef; now: string } };

const TIME = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** The window's own rules, named by the fields a request sends. */
export function windowErrors(window: WaitlistWindow): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const { fromDate, toDate, fromTime, toTime } = window;
  if (!isValidDate(fromDate)) errors.from_date = ['A date as YYYY-MM-DD.'];
  if (!isValidDate(toDate)) errors.to_date = ['A date as YYYY-MM-DD.'];
  else if (isValidDate(fromDate) && toDate < fromDate) errors.to_date = ['The window ends before it starts.'];
  else if (isValidDate(fromDate) && addDays(fromDate, MAX_WINDOW_DAYS) < toDate) errors.to_date = [`At most ${MAX_WINDOW_DAYS} days after from_date.`];
  if (!TIME.test(fromTime) || fromTime === '24:00') errors.from_time = ['A local time as HH:MM.'];
  if (!TIME.test(toTime)) errors.to_time = ['A local time as HH:MM (24:00: the end of the day).'];
  else if (TIME.test(fromTime) && minutesOf(toTime) <= minutesOf(fromTime)) errors.to_time = ['The hours end before they start.'];
  return errors;
}

function existing(state: WaitlistState): WaitlistEntry {
  if (!state.entry) throw new DomainError('not_found', 'Not found.');
  return state.entry;
}

const ids = (entry: WaitlistEntry) => ({ entryId: entry.entryId, organizationId: entry.organizationId });

const isOpenOffer = (entry: WaitlistEntry, appointmentId: string) => entry.status === 'offered' && entry.offer?.appointmentId === appointmentId;

function decide(command: WaitlistCommand, state: WaitlistState): WaitlistEvent[] {
  switch (command.type) {
    case 'JoinWaitlist': {
      if (state.entry) throw conflict('This waitlist entry already exists.');
      const { window, by, now, ...rest } = command.data;
      const errors = windowErrors(window);
      if (Object.keys(errors).length > 0) throw new DomainError('invalid', 'Invalid input.', errors);
      return [{ type: 'WaitlistJoined', data: { ...rest, ...window, joinedBy: by, joinedAt: now } }];
    }
    case 'MakeOffer': {
      const entry = existing(state);
      const { now, ...offer } = command.data;
      // The same offer again (a retried job): already made.
      if (isOpenOffer(entry, offer.appointmentId)) return [];
      if (entry.status !== 'waiting') throw conflict(`A ${entry.status} waitlist entry cannot be offered a time.`);
      return [{ type: 'WaitlistOffered', data: { ...ids(entry), ...offer, offeredAt: now } }];
    }
    case 'LapseOffer': {
      const entry = existing(state);
      if (!isOpenOffer(entry, command.data.appointmentId)) return [];
      return [{ type: 'WaitlistOfferLapsed', data: { ...ids(entry), appointmentId: command.data.appointmentId, lapsedAt: command.data.now } }];
    }
    case 'AcceptOffer': {
      const entry = existing(state);
      if (entry.status === 'booked') return [];
      if (entry.status !== 'offered' || !entry.offer) throw conflict(`A ${entry.status} waitlist entry has no offer to accept.`);
      if (Date.parse(command.data.now) >= Date.parse(entry.offer.expiresAt)) throw conflict('The offer has expired.');
      return [{ type: 'WaitlistOfferAccepted', data: { ...ids(entry), appointmentId: entry.offer.appointmentId, acceptedBy: command.data.by, acceptedAt: command.data.now } }];
    }
    case 'ExpireOffer': {
      const entry = existing(state);
      const { appointmentId, now } = command.data;
      // Accepted, withdrawn, or not yet due: nothing expires.
      if (!isOpenOffer(entry, appointmentId) || Date.parse(now) < Date.parse(entry.offer!.expiresAt)) return [];
      return [{ type: 'WaitlistOfferExpired', data: { ...ids(entry), appointmentId, expiredAt: now } }];
    }
    case 'Withdraw': {
      const entry = existing(state);
      if (entry.status === 'withdrawn') return [];
      if (entry.status !== 'waiting' && entry.status !== 'offered') throw conflict(`A ${entry.status} waitlist entry cannot be withdrawn.`);
      return [{ type: 'WaitlistWithdrawn', data: { ...ids(entry), withdrawnBy: command.data.by, withdrawnAt: command.data.now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: WaitlistState, event: WaitlistEvent): WaitlistState {
  const entry = state.entry;
  switch (event.type) {
    case 'WaitlistJoined': {
      const { entryId, organizationId, client, serviceId, specialistId, fromDate, toDate, fromTime, toTime } = event.data;
      return { entry: { entryId, organizationId, client, serviceId, specialistId, window: { fromDate, toDate, fromTime, toTime }, status: 'waiting', offer: undefined } };
    }
    case 'WaitlistOffered': {
      const { appointmentId, claimId, expiresAt } = event.data;
      return entry ? { entry: { ...entry, status: 'offered', offer: { appointmentId, claimId, expiresAt } } } : state;
    }
    case 'WaitlistOfferLapsed':
      return entry ? { entry: { ...entry, status: 'waiting', offer: undefined } } : state;
    case 'WaitlistOfferAccepted':
      return entry ? { entry: { ...entry, status: 'booked' } } : state;
    case 'WaitlistOfferExpired':
      return entry ? { entry: { ...entry, status: 'expired' } } : state;
    case 'WaitlistWithdrawn':
      return entry ? { entry: { ...entry, status: 'withdrawn' } } : state;
    default:
      return state;
  }
}

export const waitlistDecider: Decider<WaitlistState, WaitlistCommand, WaitlistEvent> = {
  initialState: () => ({ entry: undefined }),
  evolve,
  decide,
};
