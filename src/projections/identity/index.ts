import { usersProjection } from './users.js';

export const identityProjections = [usersProjection];
