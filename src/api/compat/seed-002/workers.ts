import type { Routes } from '../../dependencies.js';

export const workersRoutes: Routes = async () => {};
