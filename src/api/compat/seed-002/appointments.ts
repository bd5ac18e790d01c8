import type { Routes } from '../../dependencies.js';

export const appointmentsRoutes: Routes = async () => {};
