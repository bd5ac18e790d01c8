import Type from 'typebox';
import type { ErrorFormat } from '../errors.js';

/**
 * Django REST Framework's wording, which seeds 000, 002 and 003 were written
 * against: a 400 names each field at the top level
 * (`{"name": ["This field is required."]}`); anything else is `{"detail"}`.
 */
export const drfErrors: ErrorFormat = (answer) =>
  answer.status === 400 && answer.body.errors ? { status: 400, body: answer.body.errors } : { status: answer.status, body: { detail: answer.body.detail } };

/** DRF's 400: messages per field at the top level, or a `detail` for a body that is no object at all. */
const DrfInvalid = Type.Object(
  { detail: Type.Optional(Type.String()) },
  { additionalProperties: Type.Array(Type.String()), description: 'Messages by field, e.g. {"first_name": ["This field is required."]}.' },
);
const DrfDetail = Type.Object({ detail: Type.String() });

/** A DRF route's error replies, for its response schema (which serializes them: /api/v1's `Error` would drop the fields of a 400). */
export const drfReplies = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, code === 400 ? DrfInvalid : DrfDetail]));
