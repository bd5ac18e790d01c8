import type { Routes } from '../../dependencies.js';

export const placesRoutes: Routes = async () => {};
