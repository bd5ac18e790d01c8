import { waitlistEntriesProjection } from './entries.js';

export const waitlistProjections = [waitlistEntriesProjection];
