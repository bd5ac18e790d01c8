import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { ErrorFormat } from '../../errors.js';
import { Code } from '../../identity/codes.js';

// Seed 004 was a Flask app: every error is `{"error": "<message>"}`, its
// views refuse whatever is not JSON with a 400 of their own (where the rest
// of this service answers 415), and a code may come as typed in a number field.

export const ONLY_JSON = 'Only JSON requests are accepted';

/** The code as typed: six digits, as text or, from a numeric field, as a number (leading zeros restored). */
export const SeedCode = Type.Union([Code, Type.Integer({ minimum: 0, maximum: 999_999 })]);
export const codeText = (code: string | number): string => (typeof code === 'number' ? String(code).padStart(6, '0') : code);

/** The seed's error body. */
export const ErrorBody = Type.Object({ error: Type.String() });

/** The error replies of a route, in the seed's body. */
export const errorBodies = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ErrorBody]));

/**
 * /api/v1's answer in one message: a 400's fields each with their messages
 * (`code: This field is required.`), anything else its detail.
 */
export const phoneAuthErrors: ErrorFormat = (answer) => {
  const { detail, errors } = answer.body;
  const fields = answer.status === 400 && errors ? Object.entries(errors).map(([field, messages]) => `${field}: ${messages.join(' ')}`) : [];
  return { status: answer.status, body: { error: fields.length > 0 ? fields.join(' ') : detail } };
};

/** `application/json`, with or without parameters (charset): the one type the JSON parser reads. */
function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * Every route registered in `app` after this answers a request that does not
 * say it is JSON (another type, or none) with the seed's 400, before its body
 * is read: a form is never parsed, and nothing is done.
 */
export function jsonOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!isJson(request)) return reply.code(400).send({ error: ONLY_JSON });
  });
}
