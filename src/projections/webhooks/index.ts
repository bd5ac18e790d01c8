import { webhookEndpointsProjection } from './endpoints.js';

export const webhookProjections = [webhookEndpointsProjection];
