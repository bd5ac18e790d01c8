import type { ErrorFormat } from '../errors.js';

/**
 * Django REST Framework's wording, which seeds 000, 002 and 003 were written
 * against: a 400 names each field at the top level
 * (`{"name": ["This field is required."]}`); anything else is `{"detail"}`.
 */
export const drfErrors: ErrorFormat = (answer) =>
  answer.status === 400 && answer.body.errors ? { status: 400, body: answer.body.errors } : { status: answer.status, body: { detail: answer.body.detail } };
