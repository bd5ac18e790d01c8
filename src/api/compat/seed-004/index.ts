import type { CompatProfile } from '../profile.js';

export const phoneAuth004: CompatProfile = {
  seed: '004',
  base: '/auth/api',
  description: 'Seed 004, phone auth: register by phone, verify by SMS code, log in by SMS code.',
  errors: (answer) => ({ status: answer.status, body: { error: answer.body.detail } }),
  routes: async () => {},
};
