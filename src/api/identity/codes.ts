import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { CODE_POLICY, verifyCode, type CodeCheck, type CodePurpose } from '../../auth/codes.js';
import { claimCodeSend, isCooldown } from '../../auth/send-limits.js';
import { DomainError, tooManyRequests } from '../../commands/errors.js';
import type { Dependencies } from '../dependencies.js';

// What every route that sends or checks a one-time code shares: the code's
// shape, the caps on sending, and the answers to a code that opens nothing.

export const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code from the message.' });

/** Seconds a code stays valid, for replies. */
export const expiresIn = Math.round(CODE_POLICY.ttlMs / 1000);

const codeMessages: Record<Exclude<CodeCheck, 'ok'>, string> = {
  invalid: 'The code is not valid.',
  missing: 'The code is not valid.',
  expired: 'The code has expired; request a new one.',
  exhausted: 'Too many wrong codes; request a new one.',
};

/** A 400 on the `code` field; 'missing' reads like 'invalid', so it tells nothing of who was sent what. */
export function rejectCode(check: Exclude<CodeCheck, 'ok'>): DomainError {
  return new DomainError('invalid', 'Invalid code.', { code: [codeMessages[check]] });
}

/**
 * Every code-sending path, before anything is recorded: the caps per
 * destination, per signed-in account and per client IP
 * (src/auth/send-limits.ts); 429 with Retry-After otherwise. `cooldown`
 * words the refusal within the cooldown where a seed has its own text for it.
 */
export async function claimOrThrow(deps: Dependencies, request: FastifyRequest, purpose: CodePurpose, destination: string, cooldown?: string): Promise<void> {
  const send = { purpose, destination: deps.contacts.destination(destination), accountId: request.principal?.id, ip: request.ip };
  const claim = await claimCodeSend(deps.db, deps.rateLimits, send, deps.now());
  if (claim.ok) return;
  const wait = claim.retryAfterSeconds;
  throw tooManyRequests(
    isCooldown(claim) ? (cooldown ?? `A code was sent recently; try again in ${wait} seconds.`) : `Too many codes were asked for; try again in ${wait} seconds.`,
    wait
  );
}

/**
 * Consumes the code sent for `purpose` to `destination` (and, when given, to
 * `subjectId`), or throws the 400 for it. Returns whose challenge it was.
 */
export async function expectCode(
  deps: Dependencies,
  attempt: { purpose: CodePurpose; destination: string; subjectId?: string; code: string },
): Promise<string> {
  const outcome = await verifyCode(deps.db, deps.codeSecret, { ...attempt, destination: deps.contacts.destination(attempt.destination), now: deps.now() });
  if (outcome.check !== 'ok') throw rejectCode(outcome.check);
  return outcome.subjectId;
}
