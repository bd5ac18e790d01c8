import { routesOf } from '../../dependencies.js';
import { drfErrors } from '../drf.js';
import { REAUTHENTICATION_REQUIRED } from '../../identity/reauthentication.js';
import { isUnproven, type CompatProfile } from '../profile.js';
import { authRoutes } from './auth.js';
import { emailRoutes } from './email.js';
import { executorRoutes } from './executors.js';
import { userRoutes } from './user.js';

export const usersApi003: CompatProfile = {
  seed: '003',
  base: '/users',
  description: 'Seed 003, the Users API (staff): registration, tokens, the own profile, email verification.',
  // DRF's 403 with a detail that says how to pass, where /api/v1 asks for `current_password` with a 400.
  errors: (answer, request) => (isUnproven(answer) ? { status: 403, body: { detail: REAUTHENTICATION_REQUIRED } } : drfErrors(answer, request)),
  routes: routesOf(authRoutes, userRoutes, executorRoutes, emailRoutes),
};
