import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { organizationDecider, type OrganizationCommand } from '../commands/organization.js';
import { DomainError } from '../commands/errors.js';
import { organizationStream, RoleSchema, ROLES } from '../events/organization.js';
import { findMember, listMembers, type MemberView } from '../projections/organization-queries.js';
import { findUser } from '../projections/users.js';
import { organizationGrantOf } from './access.js';
import { principalOf } from './authenticate.js';
import { metadataOf } from './metadata.js';
import { OrgParams } from './organizations.js';
import { errorReplies, Timestamp, Uuid } from './schemas.js';
import { NotVisibleYet } from './errors.js';
import type { Services } from './services.js';
import { StaffProfile, staffProfile, StaffSummary, staffSummary } from './staff-replies.js';

// An organization's staff and their roles (seed 002), and its executors
// (seed 003 `user/executor/`): the members who are specialists.

const MemberParams = Type.Object({ org: Uuid, user: Uuid });
const MemberReply = Type.Object({ user: StaffSummary, role: RoleSchema, added_at: Timestamp });

const memberReply = (member: MemberView) => ({ user: staffSummary(member.user), role: member.role, added_at: member.addedAt.toISOString() });

const managers = { kind: 'organization', param: 'org', roles: ['owner', 'admin'] } as const;
const anyMember = { kind: 'organization', param: 'org', roles: ROLES } as const;

export const memberRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { db } = services;

  /** Runs a membership command for the caller, waits for the read model and answers with the member as it now is. */
  async function run(request: FastifyRequest, command: OrganizationCommand): Promise<MemberView | undefined> {
    const { position } = await services.handle(organizationDecider, organizationStream(command.data.organizationId), command, metadataOf(request));
    await services.awaitProjections(position, ['organizations']);
    return 'userId' in command.data ? findMember(db, command.data.organizationId, command.data.userId) : undefined;
  }

  function actorOf(request: FastifyRequest) {
    return { userId: principalOf(request).id, platformAdmin: organizationGrantOf(request).platformAdmin };
  }

  function present(member: MemberView | undefined, userId: string) {
    if (!member) throw new NotVisibleYet(userId);
    return memberReply(member);
  }

  app.post('/organizations/:org/members', {
    config: { access: managers },
    schema: {
      tags: ['members'],
      summary: 'Add a staff user with a role (owner, admin; only an owner grants owner).',
      security: [{ bearer: [] }],
      params: OrgParams,
      body: Type.Object({ user_id: Uuid, role: RoleSchema }),
      response: { 201: MemberReply, ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request, reply) => {
    const userId = request.body.user_id.toLowerCase();
    const user = await findUser(db, userId);
    if (!user || user.deleted_at !== null) throw new DomainError('invalid', 'Invalid input.', { user_id: ['No staff user with this id.'] });
    const { organizationId } = organizationGrantOf(request);
    const now = services.now().toISOString();
    const member = await run(request, { type: 'AddMember', data: { organizationId, userId, role: request.body.role, actor: actorOf(request), now } });
    return reply.code(201).send(present(member, userId));
  });

  app.get('/organizations/:org/members', {
    config: { access: anyMember },
    schema: { tags: ['members'], summary: 'The members and their roles.', security: [{ bearer: [] }], params: OrgParams, response: { 200: Type.Array(MemberReply), ...errorReplies(401, 403, 404) } },
  }, async (request) => (await listMembers(db, organizationGrantOf(request).organizationId)).map(memberReply));

  app.patch('/organizations/:org/members/:user', {
    config: { access: managers },
    schema: {
      tags: ['members'],
      summary: 'Change a member’s role (owner, admin; only an owner changes the owner role; the last owner stays).',
      security: [{ bearer: [] }],
      params: MemberParams,
      body: Type.Object({ role: RoleSchema }),
      response: { 200: MemberReply, ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request) => {
    const { organizationId } = organizationGrantOf(request);
    const userId = request.params.user.toLowerCase();
    const now = services.now().toISOString();
    return present(await run(request, { type: 'ChangeMemberRole', data: { organizationId, userId, role: request.body.role, actor: actorOf(request), now } }), userId);
  });

  app.delete('/organizations/:org/members/:user', {
    config: { access: managers },
    schema: {
      tags: ['members'],
      summary: 'Remove a member (owner, admin; the last owner stays).',
      security: [{ bearer: [] }],
      params: MemberParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const userId = request.params.user.toLowerCase();
    await run(request, { type: 'RemoveMember', data: { organizationId, userId, actor: actorOf(request), now: services.now().toISOString() } });
    return reply.code(204).send(null);
  });

  app.get('/organizations/:org/executors', {
    config: { access: anyMember },
    schema: {
      tags: ['members'],
      summary: 'The organization’s specialists, as staff profiles.',
      security: [{ bearer: [] }],
      params: OrgParams,
      response: { 200: Type.Array(StaffProfile), ...errorReplies(401, 403, 404) },
    },
  }, async (request) => (await listMembers(db, organizationGrantOf(request).organizationId, { role: 'specialist' })).map((m) => staffProfile(m.user)));
};
