import type { Routes } from '../../dependencies.js';

export const loginRoutes: Routes = async () => {};
