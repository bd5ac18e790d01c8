import { routesOf } from '../../dependencies.js';
import type { CompatProfile } from '../profile.js';
import { clientsRoutes } from './clients.js';
import { onePurposeRoutes } from './one-purpose.js';
import { errors001 } from './schemas.js';
import { sessionsRoutes } from './sessions.js';

export const clientFunctions001: CompatProfile = {
  seed: '001',
  base: '/api/v1',
  description: 'Seed 001, client functions: a client registers, reads and changes their profile, and lists their sessions.',
  errors: errors001,
  routes: routesOf(clientsRoutes, onePurposeRoutes, sessionsRoutes),
};
