import type { Routes } from '../../dependencies.js';

export const clientsRoutes: Routes = async () => {};
