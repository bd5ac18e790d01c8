import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DomainError } from '../../commands/errors.js';
import { AUDIT_ANCHORS, type LogAnchoredData } from '../../events/audit/anchors.js';
import { isPlatformAdmin } from '../../projections/organizations/organization-queries.js';
import { STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import type { Dependencies } from '../dependencies.js';
import { FORBIDDEN } from '../errors.js';
import { errorReplies, Timestamp } from '../schemas.js';
import { named } from '../openapi/components.js';

// For auditors (platform admins): the log's anchors, newest first, so the
// latest digest can be kept outside the system and the log checked against
// it later with `npm run cli -- audit verify` (docs/audit.md).

const Anchor = named('AuditAnchor', Type.Object({
  version: Type.Integer({ description: 'The anchor’s place in the `audit-anchors` stream, from 0.' }),
  up_to: Type.String({ description: 'Log position (`commit/prepare`) of the last event the digest covers.' }),
  events: Type.Integer({ description: 'Events covered since the previous anchor.' }),
  digest: Type.String({ description: 'SHA-256 (hex) of the previous digest followed by the hashes of the covered events, in log order.' }),
  previous_digest: Type.String({ description: 'The previous anchor’s digest (64 zeros for the first).' }),
  anchored_at: Timestamp,
}, { description: 'A digest of the audit log up to a position, to keep outside the system.' }));

const MAX_VERSION = 2_147_483_647;

export const anchorRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.get('/audit/anchors', {
    // Staff tokens; the handler lets platform admins only (users.platform_admin, never a token claim).
    config: { access: { kind: 'authenticated', principals: STAFF } },
    schema: {
      tags: ['audit'],
      summary: 'The log’s anchors, newest first (platform admins): record the latest digest outside the system, then run `audit verify`.',
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        before: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VERSION, description: 'From the previous page’s `next`: anchors older than this version.' })),
      }),
      response: {
        200: Type.Object({ items: Type.Array(Anchor), next: Type.Union([Type.Integer(), Type.Null()]) }),
        ...errorReplies(400, 401, 403),
      },
    },
  }, async (request) => {
    if (!(await isPlatformAdmin(deps.db, principalOf(request).id))) throw new DomainError('forbidden', FORBIDDEN);
    const { limit = 100, before } = request.query;
    const events = await deps.store.readStream(AUDIT_ANCHORS, { direction: 'backwards', limit, ...(before !== undefined ? { from: before - 1 } : {}) });
    const items = events.map((event) => {
      const data = event.data as LogAnchoredData;
      return { version: event.version, up_to: data.upTo, events: data.events, digest: data.digest, previous_digest: data.previousDigest, anchored_at: data.anchoredAt };
    });
    const oldest = events.at(-1);
    return { items, next: events.length === limit && oldest && oldest.version > 0 ? oldest.version : null };
  });
};
