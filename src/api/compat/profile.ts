import type { FastifyInstance } from 'fastify';
import type { CompatSeed } from '../../config/http.js';
import { registerErrorHandling, type ErrorAnswer, type ErrorFormat } from '../errors.js';
import { REAUTHENTICATION_REQUIRED } from '../identity/reauthentication.js';
import type { Routes } from '../dependencies.js';

/**
 * A seed document's own API, served as it was written under
 * /compat/<seed><base>: a thin adapter whose routes parse the seed's shapes,
 * call the same workflows and read the same read models as /api/v1, and
 * answer in the seed's words. Access is declared per route as everywhere
 * (src/api/access.ts); only the wording of errors is the profile's own.
 */
export interface CompatProfile {
  readonly seed: CompatSeed;
  /** The seed's own base path (`/clients` for 000, `/api/v1` for 001...). */
  readonly base: string;
  /** One line for the OpenAPI tag: which document, for whom. */
  readonly description: string;
  /** The seed's error format: how /api/v1's answer is worded here. */
  readonly errors: ErrorFormat;
  readonly routes: Routes;
}

/** The OpenAPI tag of a profile's operations. */
export const tagOf = (seed: CompatSeed): string => `compat-${seed}`;

/** The path prefix of a profile's routes. */
export const prefixOf = (profile: Pick<CompatProfile, 'seed' | 'base'>): string => `/compat/${profile.seed}${profile.base}`;

/** Inside a profile's scope: its tag on every operation, and its error and not-found answers. */
export function compatScope(app: FastifyInstance, profile: CompatProfile): void {
  const tag = tagOf(profile.seed);
  app.addHook('onRoute', (route) => {
    route.schema = Object.assign(route.schema ?? {}, { tags: [tag] });
  });
  registerErrorHandling(app, profile.errors);
}

/**
 * A change of a password, login phone or email without `current_password`
 * or a code: /api/v1 calls it invalid input (400 naming `current_password`);
 * the seeds let a token alone do it, so to their frontends it is a refusal,
 * worded as each profile words its 403 (the trust model wins, docs/compat.md).
 */
export const isUnproven = (answer: ErrorAnswer): boolean =>
  answer.cause === 'invalid' && answer.body.errors?.current_password?.includes(REAUTHENTICATION_REQUIRED) === true;
