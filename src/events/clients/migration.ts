import Type, { type Static } from 'typebox';
import type { Event } from '../event.js';

// Stream `migration-trust-model`: that data written before the trust model
// was moved into it (src/workflows/clients/migrate-trust-model.ts), once.

export const TrustModelMigratedData = Type.Object({ scanned: Type.Integer(), clients: Type.Integer(), staff: Type.Integer(), migratedAt: Type.String() });

export type TrustModelMigrated = Event<'TrustModelMigrated', Static<typeof TrustModelMigratedData>>;
