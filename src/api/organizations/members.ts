import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { organizationDecider, type OrganizationCommand } from '../../commands/organizations/organization.js';
import { organizationStream, RoleSchema, ROLES } from '../../events/organizations/organization.js';
import { findMember, listMembers, type MemberView } from '../../projections/organizations/organization-queries.js';
import { organizationGrantOf } from '../access.js';
import { principalOf } from '../authenticate.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from './organizations.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import { NotVisibleYet } from '../errors.js';
import type { Dependencies } from '../dependencies.js';
import { Colleague, colleague } from '../identity/staff-replies.js';
import { awaitVisible } from '../visibility.js';
import { named } from '../openapi/components.js';

// An organization's staff and their roles (seed 002), and its executors
// (seed 003 `user/executor/`): the members who are specialists. Members join
// by invitation only (src/api/organizations/invitations.ts); nobody is added by user id.
// Colleagues see each other's names and chosen work contacts, never login
// contacts or home addresses.

const MemberParams = Type.Object({ org: Uuid, user: Uuid });
export const MemberReply = named('Member', Type.Object({ user: Colleague, role: RoleSchema, added_at: Timestamp }, { description: 'A staff member of an organization, with their role.' }));

export const memberReply = (member: MemberView) => ({ user: colleague(member), role: member.role, added_at: member.addedAt.toISOString() });

const managers = { kind: 'organization', param: 'org', roles: ['owner', 'admin'] } as const;
const anyMember = { kind: 'organization', param: 'org', roles: ROLES } as const;

export const memberRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  /** Runs a membership command for the caller, waits for the read model and answers with the member as it now is. */
  async function run(request: FastifyRequest, command: OrganizationCommand): Promise<MemberView | undefined> {
    const { position } = await deps.handle(organizationDecider, organizationStream(command.data.organizationId), command, metadataOf(request));
    const { organizationId } = command.data;
    await awaitVisible(
      deps,
      position,
      ['organizations'],
      'userId' in command.data ? command.data.userId : organizationId,
      `/api/v1/organizations/${organizationId}/members`
    );
    return 'userId' in command.data ? findMember(db, command.data.organizationId, command.data.userId) : undefined;
  }

  function actorOf(request: FastifyRequest) {
    return { userId: principalOf(request).id, platformAdmin: organizationGrantOf(request).platformAdmin };
  }

  function present(member: MemberView | undefined, userId: string) {
    if (!member) throw new NotVisibleYet(userId);
    return memberReply(member);
  }

  app.get('/organizations/:org/members', {
    config: { access: anyMember },
    schema: {
      tags: ['members'],
      summary: 'The members: name, work contact, role.',
      params: OrgParams,
      response: { 200: Type.Array(MemberReply), ...errorReplies(401, 403, 404) },
    },
  }, async (request) => (await listMembers(db, organizationGrantOf(request).organizationId)).map(memberReply));

  app.patch('/organizations/:org/members/:user', {
    config: { access: managers },
    schema: {
      tags: ['members'],
      summary: 'Change a member’s role (owner, admin; only an owner changes the owner role; the last owner stays).',
      params: MemberParams,
      body: Type.Object({ role: RoleSchema }),
      response: { 200: MemberReply, ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request) => {
    const { organizationId } = organizationGrantOf(request);
    const userId = request.params.user;
    const now = deps.now().toISOString();
    return present(
      await run(request, { type: 'ChangeMemberRole', data: { organizationId, userId, role: request.body.role, actor: actorOf(request), now } }),
      userId
    );
  });

  app.delete('/organizations/:org/members/:user', {
    config: { access: managers },
    schema: {
      tags: ['members'],
      summary: 'Remove a member (owner, admin; the last owner stays).',
      params: MemberParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const { organizationId } = organizationGrantOf(request);
    const userId = request.params.user;
    await run(request, { type: 'RemoveMember', data: { organizationId, userId, actor: actorOf(request), now: deps.now().toISOString() } });
    return reply.code(204).send(null);
  });

  app.get('/organizations/:org/executors', {
    config: { access: anyMember },
    schema: {
      tags: ['members'],
      summary: 'The organization’s specialists: name and work contact.',
      params: OrgParams,
      response: { 200: Type.Array(Colleague), ...errorReplies(401, 403, 404) },
    },
  }, async (request) => (await listMembers(db, organizationGrantOf(request).organizationId, { role: 'specialist' })).map(colleague));
};
