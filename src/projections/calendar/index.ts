import { calendarFeedsProjection } from './feeds.js';

export const calendarProjections = [calendarFeedsProjection];
