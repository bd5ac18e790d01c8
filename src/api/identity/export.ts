import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type, { type TProperties } from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { RoleSchema } from '../../events/organizations/organization.js';
import { Nullable } from '../../events/schema.js';
import { staffExport } from '../../workflows/identity/export.js';
import { STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import type { Dependencies } from '../dependencies.js';
import { errorReplies, Timestamp, Uuid } from '../schemas.js';
import { awaitVisible } from '../visibility.js';

// `GET /users/me/export`: everything held about the signed-in staff user, as
// one JSON document (GDPR art. 15; docs/privacy.md, "Export"). The shapes
// every export shares (actors as roles, the 202, the attachment) live here too.

/** Closed, described: the export's shapes say exactly what leaves, and nothing else does. */
export const closed = <T extends TProperties>(properties: T, description: string) => Type.Object(properties, { additionalProperties: false, description });

export const ActorRoleSchema = Type.Enum(
  ['you', 'staff', 'platform_admin', 'system', 'anonymous', 'another_client'],
  {
    description:
      'Who acted, by role only: you; staff of an organization; a platform admin; the system; a request made without signing in ' +
      '(signing up, a code: you, or whoever gave your phone or email); another client. Never a person’s id or name.',
  },
);

export const ExportedEvent = {
  type: Type.String({ description: 'The event’s type, e.g. ClientProfileChanged.' }),
  at: Type.String({ format: 'date-time', description: 'When it was recorded.' }),
  actor: ActorRoleSchema,
  data: Type.Unknown({ description: 'The event’s data as the store reads it: personal fields in clear, or "[erased]" once erased.' }),
};

export const OrganizationName = closed({ id: Uuid, name: Type.String() }, 'The organization, by id and name.');

export const NotReadYet = closed(
  { detail: Type.String(), id: Uuid },
  'Something written before this request is not in the tables the export reads yet: nothing is answered rather than something stale. Try again ' +
    'after Retry-After.',
);

/** The read models every export reads besides the streams it folds. */
const READ_MODELS = ['organizations', 'appointments', 'specialists', 'places', 'users'];

/**
 * Waits, bounded, until the read models include everything in the log when
 * the request came (a change the caller just made included); else a 202.
 */
export async function awaitEverythingSoFar(deps: Dependencies, id: string, location: string): Promise<void> {
  await awaitVisible(deps, await deps.store.headPosition(), READ_MODELS, id, location);
}

/** A download named by the day, never cached on the way. */
export function asAttachment(reply: FastifyReply, now: Date): void {
  reply.header('content-disposition', `attachment; filename="export-${now.toISOString().slice(0, 10)}.json"`);
  reply.header('cache-control', 'no-store');
}

const StaffExportReply = closed(
  {
    account: closed(
      {
        id: Uuid,
        email: Type.String({ description: 'Login email.' }),
        confirmed_email: Type.Boolean(),
        phone: Nullable(Type.String({ description: 'Login phone (E.164).' })),
        confirmed_phone: Type.Boolean(),
        first_name: Type.String(),
        last_name: Type.String(),
        patronymic: Type.String(),
        address: Type.String(),
        platform_admin: Type.Boolean(),
        registered_at: Timestamp,
      },
      'Your account, folded from its own stream.',
    ),
    memberships: Type.Array(
      closed(
        {
          organization: OrganizationName,
          role: RoleSchema,
          added_at: Timestamp,
          work_contact: closed({ email: Nullable(Type.String()), phone: Nullable(Type.String()) }, 'What you chose to show colleagues.'),
        },
        'An organization you belong to; its other members are not shown.',
      ),
    ),
    invitations: Type.Array(
      closed(
        {
          id: Uuid,
          organization: OrganizationName,
          email: Type.String(),
          role: RoleSchema,
          status: Type.Enum(['pending', 'accepted', 'declined', 'revoked']),
          created_at: Timestamp,
          answered_at: Nullable(Timestamp),
        },
        'An invitation to your confirmed email (none while it is unconfirmed); who sent it is not shown.',
      ),
    ),
    history: Type.Array(closed(ExportedEvent, 'An event of your account’s stream, oldest first.')),
    exported_at: Timestamp,
  },
  'Everything held about you as a staff user.',
);

export const staffExportRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.get('/users/me/export', {
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['users'],
      summary: 'Everything held about you (staff), as one JSON document: account, memberships, invitations to you, your account’s events.',
      description: 'The right of access (GDPR art. 15). Actors appear by role only; nothing of other members or of clients. See docs/privacy.md.',
      response: { 200: StaffExportReply, 202: NotReadYet, ...errorReplies(401, 403, 404) },
    },
  }, async (request, reply) => {
    const userId = principalOf(request).id;
    await awaitEverythingSoFar(deps, userId, '/api/v1/users/me/export');
    const now = deps.now();
    const exported = await staffExport(deps, userId, now);
    if (!exported) throw new DomainError('not_found', 'Not found.');
    asAttachment(reply, now);
    return exported;
  });
};
