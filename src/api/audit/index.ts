import { routesOf } from '../dependencies.js';
import { anchorRoutes } from './anchors.js';

export const auditApi = routesOf(anchorRoutes);
