import { appointmentsProjection } from './appointments.js';
import { placesProjection } from './places.js';
import { specialistsProjection } from './specialists.js';

export const schedulingProjections = [placesProjection, specialistsProjection, appointmentsProjection];
