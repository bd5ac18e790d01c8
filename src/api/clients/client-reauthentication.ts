import type { FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { DomainError } from '../../commands/errors.js';
import type { EventMetadata } from '../../store/port.js';
import type { ClientTarget } from './client-access.js';
import { metadataOf } from '../metadata.js';
import { checkReauthentication } from '../identity/reauthentication.js';
import type { Dependencies } from '../dependencies.js';

// A person's password and login phone change only with proof that it is
// them (not just a token that may have been stolen): the current password,
// or a code from POST /auth/reauthenticate sent to their verified phone. A
// platform admin acting for a person says why; the reason is recorded with
// the events.

export const ReauthenticationFields = Type.Object({
  current_password: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 128,
    description: 'Your current password, to change the password or the login phone.',
  })),
  code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'Instead of the password: the code from POST /auth/reauthenticate.' })),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'A platform admin changing a person’s account says why (recorded).' })),
});
export type ReauthenticationFields = Static<typeof ReauthenticationFields>;

/** The metadata to record the change with, once the caller proved they may make it. */
export async function reauthenticate(
  deps: Dependencies,
  request: FastifyRequest,
  target: Extract<ClientTarget, { kind: 'account' }>,
  sensitive: boolean,
  proof: ReauthenticationFields,
): Promise<EventMetadata> {
  const metadata = metadataOf(request);
  if (target.by === 'platform_admin') {
    if (!proof.reason) throw new DomainError('invalid', 'Invalid input.', { reason: ['A platform admin changing a person’s account gives the reason.'] });
    return { ...metadata, reason: proof.reason };
  }
  if (!sensitive) return metadata;
  await checkReauthentication(deps, { subject: { id: target.accountId, kind: 'client' }, currentPassword: proof.current_password, code: proof.code });
  return metadata;
}
