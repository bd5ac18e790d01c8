import Type from 'typebox';
import type { ErrorFormat } from '../errors.js';

/**
 * Django REST Framework's wording, which seeds 000, 002 and 003 were written
 * against: a 400 names each field at the top level
 * (`{"name": ["This field is required."]}`); anything else is `{"detail"}`.
 */
export const drfErrors: ErrorFormat = (answer) =>
  answer.status === 400 && answer.body.errors ? { status: 400, body: answer.body.errors } : { status: answer.status, body: { detail: answer.body.detail } };

// Replies are serialized by their schema: /api/v1's `Error` would drop DRF's field lists, so these profiles declare their own.
const FieldErrors = Type.Object(
  { detail: Type.Optional(Type.String()) },
  { additionalProperties: Type.Array(Type.String()), description: 'DRF: messages by field, e.g. {"name": ["This field is required."]}; or a detail for a body that is no JSON object.' },
);
const Detail = Type.Object({ detail: Type.String() }, { description: 'DRF: {"detail": "..."}.' });

/** The error replies of a DRF profile's route, by status. */
export const drfReplies = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, code === 400 ? FieldErrors : Detail]));
