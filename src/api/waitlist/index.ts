import { routesOf } from '../dependencies.js';
import { waitlistRoutes } from './waitlist.js';

export const waitlistApi = routesOf(waitlistRoutes);
