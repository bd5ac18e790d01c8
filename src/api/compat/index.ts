import type { CompatSeed } from '../../config/http.js';
import type { Dependencies } from '../dependencies.js';
import type { FastifyInstance } from 'fastify';
import { compatScope, prefixOf, tagOf, type CompatProfile } from './profile.js';
import { clientsApi000 } from './seed-000/index.js';
import { clientFunctions001 } from './seed-001/index.js';
import { appointmentsClinic002 } from './seed-002/index.js';
import { usersApi003 } from './seed-003/index.js';
import { phoneAuth004 } from './seed-004/index.js';

/** Every seed document's profile, in seed order (docs/compat.md). */
export const compatProfiles: readonly CompatProfile[] = [clientsApi000, clientFunctions001, appointmentsClinic002, usersApi003, phoneAuth004];

/** The OpenAPI tags of the enabled profiles. */
export function compatTags(enabled: readonly CompatSeed[]): { name: string; description: string }[] {
  return compatProfiles.filter((p) => enabled.includes(p.seed)).map((p) => ({ name: tagOf(p.seed), description: p.description }));
}

/** Registers the enabled profiles, each in a scope of its own under /compat/<seed><base>. */
export async function registerCompat(app: FastifyInstance, deps: Dependencies, enabled: readonly CompatSeed[]): Promise<void> {
  for (const profile of compatProfiles.filter((p) => enabled.includes(p.seed))) {
    await app.register(
      async (scope) => {
        compatScope(scope, profile);
        await scope.register(profile.routes, { deps });
      },
      { prefix: prefixOf(profile) },
    );
  }
}
