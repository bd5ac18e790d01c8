import Type from 'typebox';
import { STAFF } from '../../access.js';
import type { Routes } from '../../dependencies.js';
import { Code, expiresIn } from '../../identity/codes.js';
import { confirmContact, sendContactCode } from '../../identity/staff-verification.js';
import { guessLimit } from '../../rate-limits.js';
import { drfReplies } from '../drf.js';

// Seed 003's email verification, as POST /api/v1/users/me/email/verify and
// /confirm. The seed writes the code as a JSON number (000000), which loses
// its leading zeros: a number is taken and left-padded to six digits.

const NumericCode = Type.Integer({ minimum: 0, maximum: 999_999, description: 'The code as a JSON number; 4821 is the code 004821.' });

export const emailRoutes: Routes = async (app, { deps }) => {
  const staff = { kind: 'authenticated', principals: STAFF } as const;

  app.post('/verify-email/', {
    config: { access: staff },
    schema: {
      summary: 'Send a code to my email; 409 when it is confirmed already or someone else owns it, 429 with Retry-After inside the cooldown.',
      response: { 200: Type.Object({ detail: Type.String(), expires_in: Type.Integer() }), ...drfReplies(401, 403, 404, 409, 429) },
    },
  }, async (request) => {
    await sendContactCode(deps, request, 'email');
    return { detail: 'A code has been sent to your email.', expires_in: expiresIn };
  });

  app.post('/accept-email/', {
    config: { access: staff, rateLimit: guessLimit(deps) },
    schema: {
      summary: 'Confirm my email with the code sent to it (a JSON number or a string of six digits).',
      body: Type.Object({ code: Type.Union([NumericCode, Code]) }),
      response: { 200: Type.Object({ detail: Type.String() }), ...drfReplies(400, 401, 403, 404, 409, 415, 429) },
    },
  }, async (request) => {
    const { code } = request.body;
    await confirmContact(deps, request, 'email', typeof code === 'number' ? String(code).padStart(6, '0') : code);
    return { detail: 'Successfully confirmed' };
  });
};
