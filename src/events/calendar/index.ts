import type { EventCatalogue } from '../catalogue.js';
import * as feed from './feed.js';

/** Calendar feeds: secret URLs serving a specialist's appointments. No personal data: the description is staff's label of a URL. */
export const calendarEvents: EventCatalogue = {
  schemas: {
    CalendarFeedCreated: feed.CalendarFeedCreatedData,
    CalendarFeedRevoked: feed.CalendarFeedRevokedData,
  },
};
