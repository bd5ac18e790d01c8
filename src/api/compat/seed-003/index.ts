import { routesOf } from '../../dependencies.js';
import { drfErrors } from '../drf.js';
import type { CompatProfile } from '../profile.js';
import { authRoutes } from './auth.js';
import { emailRoutes } from './email.js';
import { executorRoutes } from './executors.js';
import { userRoutes } from './user.js';

export const usersApi003: CompatProfile = {
  seed: '003',
  base: '/users',
  description: 'Seed 003, the Users API (staff): registration, tokens, the own profile, email verification.',
  errors: drfErrors,
  routes: routesOf(authRoutes, userRoutes, executorRoutes, emailRoutes),
};
