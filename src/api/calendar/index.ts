import { routesOf } from '../dependencies.js';
import { feedDocumentRoutes } from './feed-document.js';
import { calendarFeedRoutes } from './feeds.js';

/** Under /api/v1: making, listing and revoking feeds. */
export const calendarApi = routesOf(calendarFeedRoutes);
/** At the root: the feeds themselves (/calendar/{token}.ics). */
export const calendarFeeds = routesOf(feedDocumentRoutes);
