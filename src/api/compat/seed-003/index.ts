import { drfErrors } from '../drf.js';
import type { CompatProfile } from '../profile.js';

export const usersApi003: CompatProfile = {
  seed: '003',
  base: '/users',
  description: 'Seed 003, the Users API (staff): registration, tokens, the own profile, email verification.',
  errors: drfErrors,
  routes: async () => {},
};
