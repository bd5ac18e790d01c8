import { appointmentsProjection } from './appointments.js';
import { placesProjection } from './places.js';
import { servicesProjection } from './services.js';
import { specialistsProjection } from './specialists.js';

export const schedulingProjections = [placesProjection, specialistsProjection, servicesProjection, appointmentsProjection];
