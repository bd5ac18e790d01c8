import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { getPasswordHash, type Subject } from '../../auth/credentials.js';
import { throttled } from '../../auth/login-throttle.js';
import { dummyVerify, verifyPassword } from '../../auth/passwords.js';
import { clientDecider } from '../../commands/clients/client.js';
import { conflict, invalid, tooManyRequests } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { reauthenticationTarget as userTarget, userDecider } from '../../commands/identity/user.js';
import { clientStream } from '../../events/clients/client.js';
import { userStream } from '../../events/identity/user.js';
import { principalOf, type Principal } from '../authenticate.js';
import { claimOrThrow, expectCode, expiresIn, rejectCode } from './codes.js';
import { metadataOf } from '../metadata.js';
import { errorReplies } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// Re-authentication (docs/trust-model.md): changing a password, a login
// phone or a login email needs the current password, or a code sent to the
// account's VERIFIED contact. An access token alone is not enough: a stolen
// one must not be able to lock the owner out of their account.

export const REAUTHENTICATION_REQUIRED = 'Give your current password or a code to change the password, email or phone.';
export const WRONG_PASSWORD = 'The password is not correct.';
const NOWHERE_TO_SEND = 'You have no confirmed email or phone to send a code to; give your current password instead.';

export interface ReauthenticationTarget {
  readonly destination: string;
  readonly channel: 'email' | 'sms';
}

/** Staff tokens of either kind are the staff user; an admin is a staff user too. */
export const subjectOf = (principal: Principal): Subject => ({ id: principal.id, kind: principal.kind === 'client' ? 'client' : 'user' });

/**
 * Where a re-authentication code goes, from the account's own stream: a
 * staff user's verified email, else their verified phone; a client's
 * verified phone. Undefined when nothing is verified (then only the current
 * password re-authenticates).
 */
export async function reauthenticationTarget(deps: Pick<Dependencies, 'store'>, subject: Subject): Promise<ReauthenticationTarget | undefined> {
  if (subject.kind === 'user') {
    const { state } = await loadState(deps.store, userDecider, userStream(subject.id));
    return state.status === 'active' ? userTarget(state) : undefined;
  }
  const { state } = await loadState(deps.store, clientDecider, clientStream(subject.id));
  return 'confirmedPhone' in state && state.confirmedPhone ? { destination: state.phone, channel: 'sms' } : undefined;
}

export interface ReauthenticationProof {
  readonly subject: Subject;
  /** The account's password, as typed now. Checked first when both are given. */
  readonly currentPassword?: string | undefined;
  /** A code from POST /auth/reauthenticate. */
  readonly code?: string | undefined;
  /** Where that code was sent; by default the account's current target (reauthenticationTarget). */
  readonly destination?: string | undefined;
}

/**
 * Throws unless the caller proved again that they are the account's owner:
 * 400 on `current_password` without any proof or with a wrong password
 * (failures counted per account, 429 once locked), 400 on `code` for a code
 * that opens nothing. A good code is consumed.
 */
export async function checkReauthentication(deps: Dependencies, proof: ReauthenticationProof): Promise<void> {
  const { subject, currentPassword, code } = proof;
  const { db } = deps;
  if (currentPassword !== undefined) {
    const attempt = await throttled(db, `reauth:${subject.id}`, deps.now(), async () => {
      const hash = await getPasswordHash(db, subject.id);
      return (hash ? await verifyPassword(hash, currentPassword) : await dummyVerify(currentPassword)) || undefined;
    });
    if (attempt.locked) throw tooManyRequests(`Too many wrong passwords; try again in ${attempt.retryAfterSeconds} seconds.`, attempt.retryAfterSeconds);
    if (!attempt.value) throw invalid('current_password', WRONG_PASSWORD);
    return;
  }
  if (code !== undefined) {
    const destination = proof.destination ?? (await reauthenticationTarget(deps, subject))?.destination;
    if (destination === undefined) throw rejectCode('missing');
    await expectCode(deps, { purpose: 'reauthentication', destination, subjectId: subject.id, code });
    return;
  }
  throw invalid('current_password', REAUTHENTICATION_REQUIRED);
}

export const reauthenticationRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  app.post('/auth/reauthenticate', {
    config: { access: { kind: 'authenticated', principals: ['client', 'user', 'admin'] } },
    schema: {
      tags: ['sessions'],
      summary:
        'Send a code that re-authenticates me for a sensitive change (password, login email or phone): to my confirmed email (staff) or else my ' +
          'confirmed phone; 409 when nothing is confirmed, 429 with Retry-After inside the cooldown.',
      response: {
        202: Type.Object({ detail: Type.String(), channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]), expires_in: Type.Integer() }),
        ...errorReplies(401, 403, 409, 429),
      },
    },
  }, async (request, reply) => {
    const subject = subjectOf(principalOf(request));
    const target = await reauthenticationTarget(deps, subject);
    if (!target) throw conflict(NOWHERE_TO_SEND);
    await claimOrThrow(deps, request, 'reauthentication', target.destination);
    const challengeId = deps.newId();
    const now = deps.now().toISOString();
    // Each decider picks the destination again from the state it decides on, which is the one just read.
    if (subject.kind === 'user') {
      await deps.handle(
        userDecider,
        userStream(subject.id),
        { type: 'RequestReauthentication', data: { userId: subject.id, challengeId, now } },
        metadataOf(request)
      );
    } else {
      await deps.handle(clientDecider, clientStream(subject.id), { type: 'RequestReauthentication', data: { challengeId, now } }, metadataOf(request));
    }
    return reply.code(202).send({
      detail: `A code has been sent to your ${target.channel === 'email' ? 'email' : 'phone'}.`,
      channel: target.channel,
      expires_in: expiresIn,
    });
  });
};
