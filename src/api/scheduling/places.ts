import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { placeDecider, type PlaceCommand } from '../../commands/scheduling/place.js';
import { placeStream } from '../../events/scheduling/place.js';
import { ROLES, type Role } from '../../events/organizations/organization.js';
import { findPlace, listPlaces } from '../../projections/scheduling/places.js';
import type { PlaceRow } from '../../projections/scheduling/tables.js';
import { organizationGrantOf, STAFF } from '../access.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from '../organizations/organizations.js';
import { authorizeInOrganization } from './scheduling-access.js';
import { PlaceReply, placeReply } from './scheduling-schemas.js';
import { errorReplies, FreeText, Uuid } from '../schemas.js';
import { NotVisibleYet } from '../errors.js';
import type { Dependencies } from '../dependencies.js';
import { awaitVisible } from '../visibility.js';

// Places (seed 002): an organization's rooms and branches; staff only.

export const PlaceBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  address: Type.Optional(FreeText),
  description: Type.Optional(FreeText),
});
const PlaceParams = Type.Object({ place: Uuid });

const EDITORS = ['owner', 'admin'] as const;

export type PlaceFields = Static<typeof PlaceBody>;

/** The place once the read model shows it (else a 202, nothing failed). */
export async function visiblePlace(db: Dependencies['db'], placeId: string): Promise<PlaceRow> {
  const row = await findPlace(db, placeId);
  if (!row) throw new NotVisibleYet(placeId);
  return row;
}

async function run(deps: Dependencies, placeId: string, command: PlaceCommand, request: FastifyRequest) {
  const { position } = await deps.handle(placeDecider, placeStream(placeId), command, metadataOf(request));
  await awaitVisible(deps, position, ['places'], placeId, `/api/v1/places/${placeId}`);
}

/** The place, once the caller may act on it with one of these roles (404 when they cannot see it). */
export async function authorizedPlace(deps: Dependencies, request: FastifyRequest, placeId: string, roles: readonly Role[]): Promise<PlaceRow> {
  const row = await findPlace(deps.db, placeId);
  await authorizeInOrganization(deps, request, row?.organization_id, roles);
  return row!;
}

/** Adds a place to the organization (the caller's right to is checked by the route); the row once visible. */
export async function addPlace(deps: Dependencies, request: FastifyRequest, organizationId: string, body: PlaceFields): Promise<PlaceRow> {
  const placeId = deps.newId();
  const { name, address = '', description = '' } = body;
  await run(deps, placeId, { type: 'CreatePlace', data: { placeId, organizationId, details: { name, address, description }, now: deps.now().toISOString() } }, request);
  return visiblePlace(deps.db, placeId);
}

/** Changes the fields given of an authorized place; the row once visible. */
export async function changePlace(deps: Dependencies, request: FastifyRequest, place: PlaceRow, changes: Partial<PlaceFields>): Promise<PlaceRow> {
  await run(deps, place.id, { type: 'UpdatePlace', data: { changes, now: deps.now().toISOString() } }, request);
  return visiblePlace(deps.db, place.id);
}

/** Removes an authorized place: nothing more is booked there. */
export async function removePlace(deps: Dependencies, request: FastifyRequest, place: PlaceRow): Promise<void> {
  await run(deps, place.id, { type: 'RemovePlace', data: { now: deps.now().toISOString() } }, request);
}

export const placeRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  app.post('/organizations/:org/places', {
    config: { access: { kind: 'organization', param: 'org', roles: EDITORS } },
    schema: {
      tags: ['places'],
      summary: 'Add a place (owner, admin).',
      params: OrgParams,
      body: PlaceBody,
      response: { 201: PlaceReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    return reply.code(201).send(placeReply(await addPlace(deps, request, organizationGrantOf(request).organizationId, request.body)));
  });

  app.get('/organizations/:org/places', {
    config: { access: { kind: 'organization', param: 'org', roles: ROLES } },
    schema: {
      tags: ['places'],
      summary: 'The organization’s places.',
      params: OrgParams,
      response: { 200: Type.Array(PlaceReply), ...errorReplies(401, 403, 404) },
    },
  }, async (request) => (await listPlaces(db, organizationGrantOf(request).organizationId)).map(placeReply));

  app.get('/places/:place', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: { tags: ['places'], summary: 'One place.', params: PlaceParams, response: { 200: PlaceReply, ...errorReplies(400, 401, 403, 404) } },
  }, async (request) => placeReply(await authorizedPlace(deps, request, request.params.place, ROLES)));

  app.patch('/places/:place', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['places'],
      summary: 'Rename or describe a place (owner, admin).',
      params: PlaceParams,
      body: Type.Partial(PlaceBody),
      response: { 200: PlaceReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const place = await authorizedPlace(deps, request, request.params.place, EDITORS);
    return placeReply(await changePlace(deps, request, place, request.body));
  });

  app.delete('/places/:place', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['places'],
      summary: 'Remove a place: nothing more is booked there (owner, admin).',
      params: PlaceParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    await removePlace(deps, request, await authorizedPlace(deps, request, request.params.place, EDITORS));
    return reply.code(204).send(null);
  });
};
