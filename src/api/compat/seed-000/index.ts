import { routesOf } from '../../dependencies.js';
import { drfErrors } from '../drf.js';
import type { CompatProfile } from '../profile.js';
import { clientBookRoutes } from './client-book.js';
import { clientChangeRoutes } from './client-change.js';
import { tokenRoutes } from './token.js';

export const clientsApi000: CompatProfile = {
  seed: '000',
  base: '/clients',
  description: 'Seed 000, the Clients API (staff): an organization’s client book, and a client’s token.',
  errors: drfErrors,
  routes: routesOf(clientBookRoutes, clientChangeRoutes, tokenRoutes),
};
