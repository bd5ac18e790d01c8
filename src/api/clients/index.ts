import { routesOf } from '../dependencies.js';
import { clientHistoryRoutes } from './client-history.js';
import { clientExportRoutes } from './export.js';
import { clientLinkRoutes } from './client-links.js';
import { clientRoutes } from './clients.js';
import { erasureRoutes } from './erasure.js';
import { organizationClientRoutes } from './organization-clients.js';
import { registrationRoutes } from './registration.js';

export const clientsApi = routesOf(registrationRoutes, clientRoutes, clientLinkRoutes, clientHistoryRoutes, clientExportRoutes, organizationClientRoutes, erasureRoutes);
