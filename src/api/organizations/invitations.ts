import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { organizationDecider, type Invitee, type OrganizationCommand } from '../../commands/organizations/organization.js';
import { userDecider } from '../../commands/identity/user.js';
import type { StaffInvitationRow } from '../../projections/organizations/tables.js';
import { organizationStream, RoleSchema } from '../../events/organizations/organization.js';
import { userStream } from '../../events/identity/user.js';
import { findInvitation, pendingInvitationsOf, pendingInvitationsTo } from '../../projections/organizations/invitation-queries.js';
import { findMember, findOrganization } from '../../projections/organizations/organization-queries.js';
import { organizationGrantOf, STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import { NotVisibleYet } from '../errors.js';
import { MemberReply, memberReply } from './members.js';
import { metadataOf } from '../metadata.js';
import { OrgParams } from './organizations.js';
import { Email, errorReplies, Phone, Timestamp, Uuid } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';
import { named } from '../openapi/components.js';

// Staff join an organization by invitation only (docs/trust-model.md): the
// organization invites an email with a role; the person whose VERIFIED email
// it is sees it in their own list and accepts (showing colleagues the work
// contact they choose) or declines. Until then the organization sees only the
// email it typed, and the invitee only the organization's name.

const InvitationParams = Type.Object({ org: Uuid, id: Uuid });
const MyInvitationParams = Type.Object({ id: Uuid });

const InvitationReply = named('Invitation', Type.Object({
  id: Uuid,
  email: Type.String({ description: 'As the organization typed it, lowercased.' }),
  role: RoleSchema,
  status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('declined'), Type.Literal('revoked')]),
  created_at: Timestamp,
}, { description: 'An invitation to join an organization with a role, as the organization sees it.' }));

const OrganizationName = Type.Object({ id: Uuid, name: Type.String() });

const ReceivedInvitationReply = named('ReceivedInvitation', Type.Object({
  id: Uuid,
  organization: OrganizationName,
  email: Type.String(),
  role: RoleSchema,
  created_at: Timestamp,
}, { description: 'A pending invitation to my confirmed email, with the organization that sent it.' }));

const AcceptBody = Type.Object(
  {
    work_email: Type.Optional(Email),
    work_phone: Type.Optional(Phone),
  },
  { description: 'What colleagues may see of how to reach me at work; both optional, neither is my login.' },
);

const MembershipReply = named('Membership', Type.Object({ organization: OrganizationName, ...MemberReply.properties }, { description: 'My membership of an organization, once an invitation is accepted.' }));

const invitationReply = (row: StaffInvitationRow) => ({
  id: row.id,
  email: row.email,
  role: row.role,
  status: row.status,
  created_at: new Date(row.created_at).toISOString(),
});

const notFound = () => new DomainError('not_found', 'Not found.');
const managers = { kind: 'organization', param: 'org', roles: ['owner', 'admin'] } as const;
// Invitation ids are not organization paths: who may answer is decided in the handler.
const staff = { kind: 'authenticated', principals: STAFF } as const;

export const invitationRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const { db } = deps;

  async function run(request: FastifyRequest, command: OrganizationCommand) {
    const { position } = await deps.handle(organizationDecider, organizationStream(command.data.organizationId), command, metadataOf(request));
    await deps.awaitProjections(position, ['organizations']);
  }

  /** The caller, with their email only if they proved it, read from their own stream. */
  async function inviteeOf(request: FastifyRequest): Promise<Invitee> {
    const userId = principalOf(request).id;
    const { state } = await loadState(deps.store, userDecider, userStream(userId));
    if (state.status !== 'active') throw notFound();
    return { userId, verifiedEmail: state.confirmedEmail ? state.email : null };
  }

  /** The organization an invitation belongs to; the decider then says whether it is the caller's to answer. */
  async function organizationOfInvitation(invitationId: string): Promise<string> {
    const invitation = await findInvitation(db, invitationId);
    if (!invitation) throw notFound();
    return invitation.organization_id;
  }

  app.post('/organizations/:org/invitations', {
    config: { access: managers },
    schema: {
      tags: ['invitations'],
      summary: 'Invite an email to join with a role (owner, admin; only an owner invites an owner); 409 while that email has a pending invitation.',
      params: OrgParams,
      body: Type.Object({ email: Email, role: RoleSchema }),
      response: { 201: InvitationReply, ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request, reply) => {
    const grant = organizationGrantOf(request);
    const invitationId = deps.newId();
    await run(request, {
      type: 'InviteMember',
      data: {
        organizationId: grant.organizationId,
        invitationId,
        email: request.body.email.toLowerCase(),
        role: request.body.role,
        actor: { userId: principalOf(request).id, platformAdmin: grant.platformAdmin },
        now: deps.now().toISOString(),
      },
    });
    const row = await findInvitation(db, invitationId);
    if (!row) throw new NotVisibleYet(invitationId);
    return reply.code(201).send(invitationReply(row));
  });

  app.get('/organizations/:org/invitations', {
    config: { access: managers },
    schema: {
      tags: ['invitations'],
      summary: 'The pending invitations (owner, admin), oldest first.',
      params: OrgParams,
      response: { 200: Type.Array(InvitationReply), ...errorReplies(401, 403, 404) },
    },
  }, async (request) => (await pendingInvitationsOf(db, organizationGrantOf(request).organizationId)).map(invitationReply));

  app.delete('/organizations/:org/invitations/:id', {
    config: { access: managers },
    schema: {
      tags: ['invitations'],
      summary: 'Revoke a pending invitation (owner, admin; an invitation to the owner role: owner).',
      params: InvitationParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const grant = organizationGrantOf(request);
    const actor = { userId: principalOf(request).id, platformAdmin: grant.platformAdmin };
    await run(
      request,
      { type: 'RevokeInvitation', data: { organizationId: grant.organizationId, invitationId: request.params.id, actor, now: deps.now().toISOString() } }
    );
    return reply.code(204).send(null);
  });

  app.get('/invitations', {
    config: { access: staff },
    schema: {
      tags: ['invitations'],
      summary: 'Pending invitations to my confirmed email (none while my email is unconfirmed).',
      response: { 200: Type.Array(ReceivedInvitationReply), ...errorReplies(401, 403, 404) },
    },
  }, async (request) => {
    const { verifiedEmail } = await inviteeOf(request);
    if (verifiedEmail === null) return [];
    return (await pendingInvitationsTo(db, verifiedEmail)).map(({ invitation, organizationName }) => ({
      id: invitation.id,
      organization: { id: invitation.organization_id, name: organizationName },
      email: invitation.email,
      role: invitation.role,
      created_at: new Date(invitation.created_at).toISOString(),
    }));
  });

  app.post('/invitations/:id/accept', {
    config: { access: staff },
    // The body is optional: a bare POST accepts without a work contact.
    preValidation: async (request) => {
      request.body ??= {};
    },
    schema: {
      tags: ['invitations'],
      summary: 'Accept an invitation to my confirmed email and become a member; 404 for any invitation that is not mine, 409 when I am a member already.',
      params: MyInvitationParams,
      body: AcceptBody,
      response: { 200: MembershipReply, ...errorReplies(400, 401, 403, 404, 409, 415) },
    },
  }, async (request) => {
    const invitee = await inviteeOf(request);
    const invitationId = request.params.id;
    const organizationId = await organizationOfInvitation(invitationId);
    const { work_email: workEmail, work_phone: workPhone } = request.body;
    const workContact = {
      email: workEmail === undefined ? null : workEmail.toLowerCase(),
      phone: workPhone === undefined ? null : deps.normalizePhone(workPhone)!,
    };
    await run(request, { type: 'AcceptInvitation', data: { organizationId, invitationId, invitee, workContact, now: deps.now().toISOString() } });
    const [member, organization] = await Promise.all([findMember(db, organizationId, invitee.userId), findOrganization(db, organizationId)]);
    if (!member || !organization) throw new NotVisibleYet(organizationId);
    return { organization: { id: organizationId, name: organization.organization.name }, ...memberReply(member) };
  });

  app.post('/invitations/:id/decline', {
    config: { access: staff },
    schema: {
      tags: ['invitations'],
      summary: 'Decline an invitation to my confirmed email; 404 for any invitation that is not mine.',
      params: MyInvitationParams,
      response: { 204: Type.Null(), ...errorReplies(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const invitee = await inviteeOf(request);
    const invitationId = request.params.id;
    const organizationId = await organizationOfInvitation(invitationId);
    await run(request, { type: 'DeclineInvitation', data: { organizationId, invitationId, invitee, now: deps.now().toISOString() } });
    return reply.code(204).send(null);
  });
};
