import { routesOf } from '../dependencies.js';
import { staffExportRoutes } from './export.js';
import { reauthenticationRoutes } from './reauthentication.js';
import { sessionRoutes } from './sessions.js';
import { staffVerificationRoutes } from './staff-verification.js';
import { userRoutes } from './users.js';

export const identityApi = routesOf(sessionRoutes, userRoutes, staffVerificationRoutes, reauthenticationRoutes, staffExportRoutes);
