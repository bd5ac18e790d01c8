import type { CompatProfile } from '../profile.js';

export const clientFunctions001: CompatProfile = {
  seed: '001',
  base: '/api/v1',
  description: 'Seed 001, client functions: a client registers, reads and changes their profile, and lists their sessions.',
  errors: (answer) => answer,
  routes: async () => {},
};
