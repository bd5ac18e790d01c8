import Type from 'typebox';
import { ROLES } from '../../../events/organizations/organization.js';
import { listMembers, membershipsOfUser } from '../../../projections/organizations/organization-queries.js';
import { DomainError } from '../../../commands/errors.js';
import { STAFF } from '../../access.js';
import { principalOf } from '../../authenticate.js';
import type { Routes } from '../../dependencies.js';
import { FORBIDDEN } from '../../errors.js';
import { Nullable } from '../../../events/schema.js';
import { Uuid } from '../../schemas.js';
import { resolveOrganization } from '../organization.js';
import { drfReplies } from '../drf.js';
import { named } from '../../openapi/components.js';

// Seed 003's `user/executor/`: the specialists of the caller's organizations,
// as GET /api/v1/organizations/{org}/executors shows them to any member (name
// and chosen work contact, never login contacts), one item per organization
// and specialist.

const Executor = named('Seed003Executor', Type.Object({
  id: Uuid,
  surname: Type.String(),
  name: Type.String(),
  patronymic: Type.String(),
  work_email: Nullable(Type.String()),
  work_phone: Nullable(Type.String()),
  organization: Uuid,
}, { description: 'Seed 003: a specialist of an organization I am a member of.' }));

export const executorRoutes: Routes = async (app, { deps }) => {
  app.get('/user/executor/', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      summary: 'The specialists of every organization I am a member of, or of `?organization=` only (404 for one I am not in).',
      querystring: Type.Object({ organization: Type.Optional(Type.String({ maxLength: 64, description: 'An organization id.' })) }),
      response: { 200: Type.Array(Executor), ...drfReplies(400, 401, 403, 404) },
    },
  }, async (request) => {
    const named = request.query.organization;
    let organizations: string[];
    if (named === undefined) {
      organizations = (await membershipsOfUser(deps.db, principalOf(request).id)).map((m) => m.organizationId);
    } else {
      const resolved = await resolveOrganization(deps, request, named, ROLES);
      if ('refused' in resolved) throw resolved.refused === 'forbidden' ? new DomainError('forbidden', FORBIDDEN) : new DomainError('not_found', 'Not found.');
      organizations = [resolved.grant.organizationId];
    }
    const lists = await Promise.all(organizations.map(async (organization) => {
      const specialists = await listMembers(deps.db, organization, { role: 'specialist' });
      return specialists.map(({ user, workContact }) => ({
        id: user.id,
        surname: user.last_name,
        name: user.first_name,
        patronymic: user.patronymic,
        work_email: workContact.email,
        work_phone: workContact.phone,
        organization,
      }));
    }));
    return lists.flat();
  });
};
