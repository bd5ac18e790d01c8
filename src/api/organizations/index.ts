import { routesOf } from '../dependencies.js';
import { invitationRoutes } from './invitations.js';
import { memberRoutes } from './members.js';
import { organizationRoutes } from './organizations.js';

export const organizationsApi = routesOf(organizationRoutes, memberRoutes, invitationRoutes);
