import { routesOf } from '../dependencies.js';
import { webhookRoutes } from './webhooks.js';

export const webhooksApi = routesOf(webhookRoutes);
