import Type from 'typebox';
import { STAFF } from '../../access.js';
import { FORBIDDEN, type ErrorFormat } from '../../errors.js';
import { Uuid } from '../../schemas.js';
import { isUnproven } from '../profile.js';

// What seed 001's routes share: the path's `client_id`, the `{client_id}`
// the document answers its changes with, who may call, and its one error
// wording of its own.

export const ClientIdParams = Type.Object({ client_id: Uuid });
export const ClientIdReply = Type.Object({ client_id: Uuid });

/** A person, or staff as /api/v1/clients/{id} lets them (src/api/clients/client-access.ts decides per id). */
export const signedIn = { access: { kind: 'authenticated' as const, principals: ['client', ...STAFF] as const } };

/**
 * /api/v1's answers as they are, but one: the document changes the password
 * and the phone with the new value alone, which the trust model refuses (an
 * access token alone must not take an account over). /api/v1 calls that
 * invalid input (400 naming `current_password`); to a seed-001 frontend it is
 * a refusal, so it is the seed's nearest one, 403 with the seed's text, and
 * keeps the field message that says how to pass.
 */
export const errors001: ErrorFormat = (answer) => {
  return isUnproven(answer) ? { status: 403, body: { detail: FORBIDDEN, errors: answer.body.errors } } : answer;
};
