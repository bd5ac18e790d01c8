import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { CodePurpose } from '../../auth/codes.js';
import { DomainError } from '../../commands/errors.js';
import { loadState } from '../../commands/load-state.js';
import { isTakenFrom } from '../../commands/identity/contact.js';
import { contactTakenOn, ownerOf, verifyStaffContact, type ContactField } from '../../workflows/identity/staff-contacts.js';
import { userDecider, type ActiveUser, type UserCommand } from '../../commands/identity/user.js';
import { userStream } from '../../events/identity/user.js';
import { STAFF } from '../access.js';
import { principalOf } from '../authenticate.js';
import { claimOrThrow, Code, expectCode, expiresIn, rejectCode } from './codes.js';
import { metadataOf } from '../metadata.js';
import { guessLimit } from '../rate-limits.js';
import { errorReplies } from '../schemas.js';
import type { Dependencies } from '../dependencies.js';

// A signed-in staff user proves their email (seed 003 verify-email /
// accept-email) or their phone with a code sent there. A code opens only the
// address it was sent to, and only while the user still names it; proving it
// makes the value theirs alone (src/workflows/identity/staff-contacts.ts).

interface Channel {
  readonly field: ContactField;
  readonly purpose: CodePurpose;
  readonly current: (user: ActiveUser) => string | null;
  readonly confirmed: (user: ActiveUser) => boolean;
  readonly request: (userId: string, challengeId: string, now: string) => UserCommand;
  readonly sent: string;
  readonly alreadyConfirmed: string;
}

const channels: Record<ContactField, Channel> = {
  email: {
    field: 'email',
    purpose: 'email_verification',
    current: (user) => user.email,
    confirmed: (user) => user.confirmedEmail,
    request: (userId, challengeId, now) => ({ type: 'RequestEmailVerification', data: { userId, challengeId, now } }),
    sent: 'A code has been sent to your email.',
    alreadyConfirmed: 'This email is already confirmed.',
  },
  phone: {
    field: 'phone',
    purpose: 'phone_verification',
    current: (user) => user.phone,
    confirmed: (user) => user.confirmedPhone,
    request: (userId, challengeId, now) => ({ type: 'RequestPhoneVerification', data: { userId, challengeId, now } }),
    sent: 'A code has been sent to your phone.',
    alreadyConfirmed: 'This phone number is already confirmed.',
  },
};

/** The caller as their stream says now (not the read model): the code is bound to what they name at this moment. */
async function currentUser(deps: Dependencies, request: FastifyRequest): Promise<ActiveUser> {
  const { state } = await loadState(deps.store, userDecider, userStream(principalOf(request).id));
  if (state.status !== 'active') throw new DomainError('not_found', 'Not found.');
  return state;
}

/** Sends a code to the caller's email or phone: 409 when confirmed already or someone else owns it, 429 inside the cooldown. */
export async function sendContactCode(deps: Dependencies, request: FastifyRequest, field: ContactField): Promise<void> {
  const channel = channels[field];
  const user = await currentUser(deps, request);
  const destination = channel.current(user);
  if (destination === null) throw new DomainError('conflict', 'There is no phone number to confirm.');
  if (channel.confirmed(user)) throw new DomainError('conflict', channel.alreadyConfirmed);
  // Someone else proved it already: no code would make it this user's, so none is sent to the owner's inbox.
  const owner = await ownerOf(deps, channel.field, destination);
  if (isTakenFrom(owner, user.userId)) throw contactTakenOn(channel.field);
  await claimOrThrow(deps, request, channel.purpose, destination);
  await deps.handle(userDecider, userStream(user.userId), channel.request(user.userId, deps.newId(), deps.now().toISOString()), metadataOf(request));
}

/** Confirms the caller's email or phone with the code sent to it, while they still name it. */
export async function confirmContact(deps: Dependencies, request: FastifyRequest, field: ContactField, code: string): Promise<void> {
  const channel = channels[field];
  const user = await currentUser(deps, request);
  const destination = channel.current(user);
  if (destination === null) throw rejectCode('missing');
  await expectCode(deps, { purpose: channel.purpose, destination, subjectId: user.userId, code });
  const position = await verifyStaffContact(
    deps,
    { userId: user.userId, field: channel.field, value: destination, now: deps.now().toISOString() },
    metadataOf(request)
  );
  await deps.awaitProjections(position, ['users']);
}

const CodeSent = Type.Object({ detail: Type.String(), expires_in: Type.Integer({ description: 'Seconds the code stays valid.' }) });

export const staffVerificationRoutes: FastifyPluginAsyncTypebox<{ deps: Dependencies }> = async (app, { deps }) => {
  const staff = { kind: 'authenticated', principals: STAFF } as const;

  for (const channel of Object.values(channels)) {
    const noun = channel.field === 'email' ? 'email' : 'phone';
    app.post(`/users/me/${noun}/verify`, {
      config: { access: staff },
      schema: {
        tags: ['users'],
        summary: `Send a code to my ${noun}; 409 when it is confirmed already or someone else owns it, 429 with Retry-After inside the cooldown.`,
        response: { 202: CodeSent, ...errorReplies(401, 403, 404, 409, 429) },
      },
    }, async (request, reply) => {
      await sendContactCode(deps, request, channel.field);
      return reply.code(202).send({ detail: channel.sent, expires_in: expiresIn });
    });

    app.post(`/users/me/${noun}/confirm`, {
      config: { access: staff, rateLimit: guessLimit(deps) },
      schema: {
        tags: ['users'],
        summary: `Confirm my ${noun} with the code sent to it (while I still name it); 409 when someone else confirmed it first.`,
        body: Type.Object({ code: Code }),
        response: { 200: Type.Object({ detail: Type.String() }), ...errorReplies(400, 401, 403, 404, 409, 415, 429) },
      },
    }, async (request) => {
      await confirmContact(deps, request, channel.field, request.body.code);
      return { detail: 'Successfully confirmed' };
    });
  }
};
