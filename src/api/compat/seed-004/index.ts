import type { CompatProfile } from '../profile.js';
import { accountRoutes } from './account.js';
import { jsonOnly, phoneAuthErrors } from './flask.js';
import { loginRoutes } from './login.js';

export const phoneAuth004: CompatProfile = {
  seed: '004',
  base: '/auth/api',
  description: 'Seed 004, phone auth: register by phone, verify by SMS code, log in by SMS code.',
  errors: phoneAuthErrors,
  routes: async (app, options) => {
    jsonOnly(app);
    await app.register(accountRoutes, options);
    await app.register(loginRoutes, options);
  },
};
