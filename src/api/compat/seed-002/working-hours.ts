import type { Routes } from '../../dependencies.js';

export const workingHoursRoutes: Routes = async () => {};
