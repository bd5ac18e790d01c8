import Type from 'typebox';

// Seed 002's error replies as DRF writes them (src/api/compat/drf.ts words
// them so): a 400 lists fields at the top level, or is a `detail`; anything
// else is a `detail`. Declared per route because replies are serialized by
// their schema: /api/v1's `Error` schema would drop the field lists.

const FieldErrors = Type.Object(
  { detail: Type.Optional(Type.String()) },
  { additionalProperties: Type.Array(Type.String()), description: 'DRF: messages by field, e.g. {"organization": ["This field is required."]}, or a detail.' },
);
const Detail = Type.Object({ detail: Type.String() }, { description: 'DRF: {"detail": "..."}.' });

/** The error replies of a seed 002 route, by status. */
export const drfReplies = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, code === 400 ? FieldErrors : Detail]));
