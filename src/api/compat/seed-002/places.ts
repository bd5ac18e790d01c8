import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../../commands/errors.js';
import { ROLES, type Role } from '../../../events/organizations/organization.js';
import { listPlaces } from '../../../projections/scheduling/places.js';
import type { PlaceRow } from '../../../projections/scheduling/tables.js';
import { STAFF } from '../../access.js';
import type { Routes } from '../../dependencies.js';
import { addPlace, authorizedPlace, changePlace, PlaceBody, removePlace } from '../../scheduling/places.js';
import { placeReply } from '../../scheduling/scheduling-schemas.js';
import { Timestamp, Uuid } from '../../schemas.js';
import { organizationOf } from './organization.js';
import { drfReplies } from '../drf.js';
import { named } from '../../openapi/components.js';

// Seed 002's places ("the rest is the same CRUD for admin user"): our places
// (src/api/scheduling/places.ts), the clinic as `organization`. Staff of the
// clinic read them, as in /api/v1 (managers book into them); owners and
// admins change them.

const EDITORS: readonly Role[] = ['owner', 'admin'];

const Place = named('Seed002Place', Type.Object({
  id: Uuid,
  organization: Uuid,
  name: Type.String(),
  address: Type.String(),
  description: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'Seed 002: a place of the clinic.' }));
const PlaceParams = Type.Object({ id: Uuid });
const PlaceCreation = Type.Object({ organization: Type.Optional(Uuid), ...PlaceBody.properties });
/** A whole place, as a DRF frontend sends back what it read: the read-only fields are accepted and ignored. */
const PlaceReplacement = Type.Object({
  ...PlaceCreation.properties,
  id: Type.Optional(Uuid),
  created_at: Type.Optional(Timestamp),
  updated_at: Type.Optional(Timestamp),
});
const ListQuery = Type.Object({ organization: Type.Optional(Uuid) });

function placeOf(row: PlaceRow) {
  const { organization_id: organization, ...fields } = placeReply(row);
  return { ...fields, organization };
}

export const placesRoutes: Routes = async (app, { deps }) => {
  /** A place the caller may change; a place is never moved to another clinic. */
  async function editable(request: FastifyRequest, id: string, organization: string | undefined) {
    const place = await authorizedPlace(deps, request, id, EDITORS);
    if (organization !== undefined && organization.toLowerCase() !== place.organization_id) {
      throw new DomainError('invalid', 'Invalid input.', { organization: ['A place stays in its clinic.'] });
    }
    return place;
  }

  app.get('/places/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'The clinic’s places (staff; seed 002).',
      querystring: ListQuery,
      response: { 200: Type.Array(Place), ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request) => (await listPlaces(deps.db, (await organizationOf(deps, request, ROLES)).organizationId)).map(placeOf));

  app.post('/places/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'Add a place (owner, admin; seed 002).',
      querystring: ListQuery,
      body: PlaceCreation,
      response: { 201: Place, ...drfReplies(400, 401, 403, 404, 415) },
    },
  }, async (request, reply) => {
    const { organizationId } = await organizationOf(deps, request, EDITORS);
    const { name, address, description } = request.body;
    const row = await addPlace(deps, request, organizationId, { name, ...(address === undefined ? {} : { address }), ...(description === undefined ? {} : { description }) });
    return reply.code(201).send(placeOf(row));
  });

  app.get('/places/:id/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: { summary: 'One place (staff; seed 002).', params: PlaceParams, response: { 200: Place, ...drfReplies(400, 401, 403, 404) } },
  }, async (request) => placeOf(await authorizedPlace(deps, request, request.params.id, ROLES)));

  app.put('/places/:id/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'Change a place: the fields sent (name is required); owner, admin; seed 002.',
      params: PlaceParams,
      body: PlaceReplacement,
      response: { 200: Place, ...drfReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const place = await editable(request, request.params.id, request.body.organization);
    const { name, address, description } = request.body;
    return placeOf(await changePlace(deps, request, place, { name, ...(address === undefined ? {} : { address }), ...(description === undefined ? {} : { description }) }));
  });

  app.delete('/places/:id/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: { summary: 'Remove a place: nothing more is booked there (owner, admin; seed 002).', params: PlaceParams, response: { 204: Type.Null(), ...drfReplies(400, 401, 403, 404) } },
  }, async (request, reply) => {
    await removePlace(deps, request, await editable(request, request.params.id, undefined));
    return reply.code(204).send(null);
  });
};
