import { routesOf } from '../dependencies.js';
import { appointmentStatusRoutes } from './appointment-status.js';
import { appointmentRoutes } from './appointments.js';
import { clientSessionRoutes } from './client-sessions.js';
import { placeRoutes } from './places.js';
import { seriesRoutes } from './series.js';
import { serviceRoutes } from './services.js';
import { slotRoutes } from './slots.js';
import { specialistRoutes } from './specialists.js';
import { workingHoursRoutes } from './working-hours.js';

export const schedulingApi = routesOf(placeRoutes, specialistRoutes, serviceRoutes, workingHoursRoutes, slotRoutes, appointmentRoutes, appointmentStatusRoutes, seriesRoutes, clientSessionRoutes);
