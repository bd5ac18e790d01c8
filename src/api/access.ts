import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessKind } from '../auth/tokens.js';
import type { Role } from '../events/organizations/organization.js';
import { findOrganizationAccess, type OrganizationAccess } from '../projections/organizations/organization-queries.js';
import { principalOf } from './authenticate.js';
import { FORBIDDEN } from './errors.js';
import type { Dependencies } from './dependencies.js';

/**
 * Who may call a route, declared in the route's options:
 * `config: { access: { kind: 'organization', param: 'org', roles: ['owner', 'admin'] } }`.
 *
 * - `public`: anyone.
 * - `authenticated`: a valid access token of one of these principal kinds.
 * - `organization`: a staff token whose user CURRENTLY (read model, not token
 *   claims) holds one of these roles in the organization named by the path
 *   parameter; a platform admin passes every such check.
 *
 * One hook enforces it for every route under /api/, /compat/ and /calendar/. It runs at onRequest,
 * before the body is parsed and validated: an anonymous caller learns
 * nothing from validation errors, and a malformed organization id is a 404
 * like any organization the caller cannot see.
 *
 * Fail closed: such a route WITHOUT a declaration is refused (401 without a
 * token, 403 with any token), and the refusal is logged as a programming
 * error. test/api/access.test.ts checks that every route declares one.
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated'; readonly principals: readonly AccessKind[] }
  | { readonly kind: 'organization'; readonly param: string; readonly roles: readonly Role[] };

/** Staff tokens. 'admin' tokens are staff too: what an admin may do comes from users.platform_admin, never from the claim. */
export const STAFF: readonly AccessKind[] = ['user', 'admin'];

/** Set by the check of an `organization` route, for handlers that need the caller's authority. */
export interface OrganizationGrant {
  readonly organizationId: string;
  readonly role: Role | undefined;
  readonly platformAdmin: boolean;
}

export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: Access | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    organizationGrant: OrganizationGrant | undefined;
  }
  interface FastifyInstance {
    /** Every route registered after this plugin, with its declaration (for the fail-closed test). */
    declaredRoutes: () => readonly DeclaredRoute[];
  }
}

/** The unified API; the matrix of test/api/trust-matrix.test.ts walks its routes. */
export const API_PREFIX = '/api/';
/** The seeds' own APIs (src/api/compat/): the same declarations, the same enforcement. */
export const COMPAT_PREFIX = '/compat/';
/** Calendar feeds (src/api/calendar/): public, but declared and enforced like the API, so a route added there cannot forget its access. */
export const CALENDAR_PREFIX = '/calendar/';

/** Whether a route must declare its access: everything but the operations endpoints (health, docs, metrics, JWKS). */
export function mustDeclareAccess(url: string): boolean {
  return url.startsWith(API_PREFIX) || url.startsWith(COMPAT_PREFIX) || url.startsWith(CALENDAR_PREFIX);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_FOUND = 'Not found.';
/** The OpenAPI security requirement of every route that needs a token (the scheme is declared where swagger is registered). */
const BEARER = [{ bearer: [] }];

/**
 * The one organization access rule, for the hook on `organization` routes and
 * for handlers that find the organization through a resource: a platform
 * admin passes; a member with one of the roles passes; a member without them
 * is refused (403); anyone else, or an organization that does not exist, is
 * not found (404), so ids of other organizations leak nothing.
 */
export function decideOrganizationAccess(found: OrganizationAccess, roles: readonly Role[]): 'granted' | 'forbidden' | 'not_found' {
  if (!found.organizationExists) return 'not_found';
  if (found.platformAdmin) return 'granted';
  if (!found.role) return 'not_found';
  return roles.includes(found.role) ? 'granted' : 'forbidden';
}

/** The grant the access check left on an `organization` route. */
export function organizationGrantOf(request: FastifyRequest): OrganizationGrant {
  if (!request.organizationGrant) throw new Error('route is missing an organization access declaration');
  return request.organizationGrant;
}

export const accessControl = fp<{ deps: Dependencies }>(
  async (app, { deps }) => {
    const routes: DeclaredRoute[] = [];
    app.decorateRequest('organizationGrant', undefined);
    app.decorate('declaredRoutes', () => [...routes]);

    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      // A declaration naming a parameter the path lacks could never pass: refuse to start.
      if (access?.kind === 'organization' && !route.url.split('/').includes(`:${access.param}`)) {
        throw new Error(`${methods.join(',')} ${route.url}: access names the path parameter "${access.param}", which the path does not have`);
      }
      for (const method of methods) routes.push({ method, url: route.url, access });
      // The OpenAPI document says a token is needed exactly where this declaration demands one,
      // and none (`security: []`) where it is public.
      // In place, as the input-closing hook edits it: a GET route's HEAD twin shares this schema object.
      if (access !== undefined) route.schema = Object.assign(route.schema ?? {}, { security: access.kind === 'public' ? [] : BEARER });
    });

    const refuse = (reply: FastifyReply, status: 403 | 404): void => {
      reply.code(status).send({ detail: status === 404 ? NOT_FOUND : FORBIDDEN });
    };

    async function authenticated(request: FastifyRequest, reply: FastifyReply, principals: readonly AccessKind[]): Promise<boolean> {
      await app.authenticate(request, reply);
      if (reply.sent) return false;
      if (principals.includes(principalOf(request).kind)) return true;
      refuse(reply, 403);
      return false;
    }

    async function member(request: FastifyRequest, reply: FastifyReply, access: Extract<Access, { kind: 'organization' }>): Promise<void> {
      if (!(await authenticated(request, reply, STAFF))) return;
      const organizationId = (request.params as Record<string, string | undefined>)[access.param];
      // Malformed, missing, or not yours: the same 404, so ids of other organizations leak nothing.
      if (!organizationId || !UUID.test(organizationId)) return refuse(reply, 404);
      const found = await findOrganizationAccess(deps.db, organizationId.toLowerCase(), principalOf(request).id);
      const verdict = decideOrganizationAccess(found, access.roles);
      if (verdict !== 'granted') return refuse(reply, verdict === 'not_found' ? 404 : 403);
      request.organizationGrant = { organizationId: organizationId.toLowerCase(), role: found.role, platformAdmin: found.platformAdmin };
    }

    app.addHook('onRequest', async (request, reply) => {
      const url = request.routeOptions.url;
      // Unknown URLs fall through to the 404 handler; operations endpoints (health, docs) live outside /api/ and /compat/.
      if (url === undefined || !mustDeclareAccess(url)) return;
      const access = request.routeOptions.config.access;
      if (access === undefined) {
        request.log.error({ route: `${request.method} ${url}` }, 'route has no access declaration: refused');
        // No principal kind is allowed: 401 without a valid token, 403 with one.
        await authenticated(request, reply, []);
        return reply;
      }
      switch (access.kind) {
        case 'public':
          return;
        case 'authenticated':
          await authenticated(request, reply, access.principals);
          return reply.sent ? reply : undefined;
        case 'organization':
          await member(request, reply, access);
          return reply.sent ? reply : undefined;
        default: {
          const exhaustive: never = access;
          throw new Error(`Unknown access declaration ${JSON.stringify(exhaustive)}`);
        }
      }
    });
  },
  { name: 'access-control', dependencies: ['authentication'] },
);
