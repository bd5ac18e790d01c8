import type { CalendarFeedEvent, ClientDetails } from '../../events/calendar/feed.js';
import type { ActorRef } from '../../events/scheduling/schedule.js';
import type { Decider } from '../decider.js';
import { conflict, DomainError } from '../errors.js';

// The decider of one calendar feed (`calendar-feed-{id}`, src/events/calendar/feed.ts).
// Created once with the hash of its token; revoked once, for good (a new URL
// is a new feed). Revoking a revoked feed changes nothing.

/** Staff's label of a feed, at most this long. */
export const MAX_DESCRIPTION = 200;

export interface CalendarFeed {
  readonly feedId: string;
  readonly organizationId: string;
  readonly specialistId: string;
  readonly clientDetails: ClientDetails;
  readonly revoked: boolean;
}

export interface CalendarFeedState {
  readonly feed: CalendarFeed | undefined;
}

export type CalendarFeedCommand =
  | {
      type: 'CreateFeed';
      data: { feedId: string; organizationId: string; specialistId: string; clientDetails: ClientDetails; description: string; tokenHash: string; by: ActorRef; now: string };
    }
  | { type: 'RevokeFeed'; data: { by: ActorRef; now: string } };

const HASH = /^[0-9a-f]{64}$/;

function decide(command: CalendarFeedCommand, state: CalendarFeedState): CalendarFeedEvent[] {
  switch (command.type) {
    case 'CreateFeed': {
      if (state.feed) throw conflict('This calendar feed already exists.');
      const { by, now, ...rest } = command.data;
      if (rest.description.length > MAX_DESCRIPTION) throw new DomainError('invalid', 'Invalid input.', { description: [`At most ${MAX_DESCRIPTION} characters.`] });
      // A programming error, not the caller's: the route hashes the token it made.
      if (!HASH.test(rest.tokenHash)) throw new Error('a calendar feed is created with the hex SHA-256 of its token');
      return [{ type: 'CalendarFeedCreated', data: { ...rest, createdBy: by, createdAt: now } }];
    }
    case 'RevokeFeed': {
      const feed = state.feed;
      if (!feed) throw new DomainError('not_found', 'Not found.');
      if (feed.revoked) return [];
      const { feedId, organizationId, specialistId } = feed;
      return [{ type: 'CalendarFeedRevoked', data: { feedId, organizationId, specialistId, revokedBy: command.data.by, revokedAt: command.data.now } }];
    }
    default: {
      const exhaustive: never = command;
      throw new Error(`Unknown command ${JSON.stringify(exhaustive)}`);
    }
  }
}

function evolve(state: CalendarFeedState, event: CalendarFeedEvent): CalendarFeedState {
  switch (event.type) {
    case 'CalendarFeedCreated': {
      const { feedId, organizationId, specialistId, clientDetails } = event.data;
      return { feed: { feedId, organizationId, specialistId, clientDetails, revoked: false } };
    }
    case 'CalendarFeedRevoked':
      return state.feed ? { feed: { ...state.feed, revoked: true } } : state;
    default:
      return state;
  }
}

export const calendarFeedDecider: Decider<CalendarFeedState, CalendarFeedCommand, CalendarFeedEvent> = {
  initialState: () => ({ feed: undefined }),
  evolve,
  decide,
};
