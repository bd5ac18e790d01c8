import { routesOf } from '../../dependencies.js';
import { drfErrors } from '../drf.js';
import type { CompatProfile } from '../profile.js';
import { appointmentsRoutes } from './appointments.js';
import { clientsRoutes } from './clients.js';
import { loginRoutes } from './login.js';
import { placesRoutes } from './places.js';
import { workersRoutes } from './workers.js';
import { workingHoursRoutes } from './working-hours.js';

export const appointmentsClinic002: CompatProfile = {
  seed: '002',
  base: '/api/v1',
  description: 'Seed 002, appointments_clinic: workers (specialists), clients, appointments, places and working hours.',
  errors: drfErrors,
  routes: routesOf(loginRoutes, workersRoutes, placesRoutes, workingHoursRoutes, clientsRoutes, appointmentsRoutes),
};
