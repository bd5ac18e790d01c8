import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { organizationDecider } from '../../commands/organizations/organization.js';
import { organizationStream, ROLES } from '../../events/organizations/organization.js';
import { findOrganization, isPlatformAdmin, listOrganizations, type OrganizationView } from '../../projections/organizations/organization-queries.js';
import { organizationGrantOf, STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import { metadataOf } from '../metadata.js';
import { errorReplies, FreeText, Label, Timestamp, Uuid } from '../schemas.js';
import { NotVisibleYet } from '../errors.js';
import type { Dependencies } from '../dependencies.js';
import { StaffName, staffName } from '../identity/staff-replies.js';
import { awaitVisible } from '../visibility.js';
import { named } from '../openapi/components.js';

// Organizations (seed 000): created by any staff user, who becomes its owner.

const Labels = Type.Record(Label, Type.String({ maxLength: 500 }), { maxProperties: 20, description: 'Values by label, e.g. { "main": "+79999999999" }.' });

const OrganizationBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(FreeText),
  address: Type.Optional(FreeText),
  numbers: Type.Optional(Labels),
  links: Type.Optional(Labels),
});

const OrganizationChangeBody = Type.Partial(OrganizationBody);

export const OrgParams = Type.Object({ org: Uuid });

export const OrganizationReply = named('Organization', Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  address: Type.String(),
  numbers: Type.Record(Type.String(), Type.String()),
  links: Type.Record(Type.String(), Type.String()),
  creator: Type.Union([StaffName, Type.Null()], { description: 'Who created it, by name only.' }),
  created_at: Timestamp,
  updated_at: Timestamp,
}, { description: 'An organization (a clinic, a salon): its public details.' }));

function organizationReply({ organization: o, creator }: OrganizationView) {
  return {
    id: o.id,
    name: o.name,
    description: o.description,
    address: o.address,
    numbers: o.numbers,
    links: o.links,
    creator: creator ? staffName(creator) : null,
    created_at: new Date(o.created_at).toISOString(),
    updated_at: new Date(o.updated_at).toISOString(),
  };
}

export const organizationRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  async function present(organizationId: string) {
    const view = await findOrganization(db, organizationId);
    if (!view) throw new NotVisibleYet(organizationId);
    return organizationReply(view);
  }

  app.post('/organizations', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['organizations'],
      summary: 'Create an organization; the caller becomes its owner.',
      body: OrganizationBody,
      response: { 201: OrganizationReply, ...errorReplies(400, 401, 403, 415) },
    },
  }, async (request, reply) => {
    const { name, description = '', address = '', numbers = {}, links = {} } = request.body;
    const organizationId = deps.newId();
    const { position } = await deps.handle(
      organizationDecider,
      organizationStream(organizationId),
      {
        type: 'CreateOrganization',
        data: { organizationId, details: { name, description, address, numbers, links }, creatorId: principalOf(request).id, now: deps.now().toISOString() },
      },
      metadataOf(request),
    );
    await awaitVisible(deps, position, ['organizations'], organizationId, `/api/v1/organizations/${organizationId}`);
    return reply.code(201).send(await present(organizationId));
  });

  app.get('/organizations', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['organizations'],
      summary: 'The organizations the caller is a member of (every organization for a platform admin).',
      response: { 200: Type.Array(OrganizationReply), ...errorReplies(401, 403) },
    },
  }, async (request) => {
    const { id } = principalOf(request);
    const views = await listOrganizations(db, (await isPlatformAdmin(db, id)) ? 'all' : { memberId: id });
    return views.map(organizationReply);
  });

  app.get('/organizations/:org', {
    config: { access: { kind: 'organization', param: 'org', roles: ROLES } },
    schema: {
      tags: ['organizations'],
      summary: 'One organization (its members).',
      params: OrgParams,
      response: { 200: OrganizationReply, ...errorReplies(401, 403, 404) },
    },
  }, async (request) => present(organizationGrantOf(request).organizationId));

  app.patch('/organizations/:org', {
    config: { access: { kind: 'organization', param: 'org', roles: ['owner', 'admin'] } },
    schema: {
      tags: ['organizations'],
      summary: 'Change name, description, address, numbers or links (owner, admin).',
      params: OrgParams,
      body: OrganizationChangeBody,
      response: { 200: OrganizationReply, ...errorReplies(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    const { organizationId } = organizationGrantOf(request);
    const { position } = await deps.handle(
      organizationDecider,
      organizationStream(organizationId),
      { type: 'UpdateOrganization', data: { organizationId, changes: request.body, now: deps.now().toISOString() } },
      metadataOf(request),
    );
    await awaitVisible(deps, position, ['organizations'], organizationId, `/api/v1/organizations/${organizationId}`);
    return present(organizationId);
  });
};
