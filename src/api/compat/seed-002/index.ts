import { drfErrors } from '../drf.js';
import type { CompatProfile } from '../profile.js';

export const appointmentsClinic002: CompatProfile = {
  seed: '002',
  base: '/api/v1',
  description: 'Seed 002, appointments_clinic: workers (specialists), clients, appointments, places and working hours.',
  errors: drfErrors,
  routes: async () => {},
};
