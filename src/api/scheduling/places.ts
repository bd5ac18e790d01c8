import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { placeDecider, type PlaceCommand } from '../../commands/scheduling/place.js';
import { placeStream } from '../../events/scheduling/place.js';
import { ROLES, type Role } from '../../events/organizations/organization.js';
import { findPlace, listPlaces } from '../../projections/scheduling/places.js';
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

const PlaceBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  address: Type.Optional(FreeText),
  description: Type.Optional(FreeText),
});
const PlaceParams = Type.Object({ place: Uuid });

const EDITORS = ['owner', 'admin'] as const;

export const placeRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  async function present(placeId: string) {
    const row = await findPlace(db, placeId);
    if (!row) throw new NotVisibleYet(placeId);
    return placeReply(row);
  }

  async function run(placeId: string, command: PlaceCommand, request: FastifyRequest) {
    const { position } = await deps.handle(placeDecider, placeStream(placeId), command, metadataOf(request));
    await awaitVisible(deps, position, ['places'], placeId, `/api/v1/places/${placeId}`);
  }

  /** The place, once the caller may act on it with one of these roles. */
  async function authorized(request: FastifyRequest, placeId: string, roles: readonly Role[]) {
    const row = await findPlace(db, placeId);
    await authorizeInOrganization(deps, request, row?.organization_id, roles);
    return row!;
  }

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
    const { organizationId } = organizationGrantOf(request);
    const placeId = deps.newId();
    const { name, address = '', description = '' } = request.body;
    await run(
      placeId,
      { type: 'CreatePlace', data: { placeId, organizationId, details: { name, address, description }, now: deps.now().toISOString() } },
      request
    );
    return reply.code(201).send(await present(placeId));
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
  }, async (request) => placeReply(await authorized(request, request.params.place, ROLES)));

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
    const place = await authorized(request, request.params.place, EDITORS);
    await run(place.id, { type: 'UpdatePlace', data: { changes: request.body, now: deps.now().toISOString() } }, request);
    return present(place.id);
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
    const place = await authorized(request, request.params.place, EDITORS);
    await run(place.id, { type: 'RemovePlace', data: { now: deps.now().toISOString() } }, request);
    return reply.code(204).send(null);
  });
};
