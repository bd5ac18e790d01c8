import { organizationsProjection } from './organizations.js';

export const organizationProjections = [organizationsProjection];
