import Type from 'typebox';
import { named } from './openapi/components.js';

// Shapes shared by several resources. Field names follow the seeds, unified
// (README.md, "API"): snake_case, phones in E.164, dates YYYY-MM-DD.

export const ErrorReply = Type.Object(
  {
    detail: Type.String(),
    // Any field name, even one a pattern like Record's "^.*$" would not match (a newline): it names what was refused.
    errors: Type.Optional(Type.Object(
      {},
      { additionalProperties: Type.Array(Type.String()), description: 'Messages by field, e.g. { "name": ["This field is required."] }.' }
    )),
  },
  { $id: 'Error', description: 'Every error: a message, and per-field messages for invalid input.' },
);

export const errorReplies = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, Type.Ref('Error')]));

export const Phone = Type.String({ format: 'phone', maxLength: 32, description: 'Any common notation; stored in E.164.', examples: ['+79517586284'] });
export const Password = Type.String({ minLength: 8, maxLength: 128, description: 'At least 8 characters.' });
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Name = Type.String({ maxLength: 150 });
export const Birthday = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const Sex = Type.String({ maxLength: 32 });
export const FreeText = Type.String({ maxLength: 4000 });
/** Marks the schemas whose value leaves validation in lower case (src/api/validation.ts). */
export const LOWERCASE = 'x-lowercase';
/** Marks amounts of money, so a refusal can say what minor units are (src/api/errors.ts). */
export const MINOR_UNITS = 'x-minor-units';

/** Every id the API takes: any case on the way in, the canonical lower case from validation on (and in every reply). */
export const Uuid = Type.String({ format: 'uuid', [LOWERCASE]: true, description: 'A UUID; upper or lower case, always answered in lower case.' });

/** Money: an integer count of the currency's minor units, never a string or a fraction. */
export const MinorUnits = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000_000,
  [MINOR_UNITS]: true,
  description: 'Minor units as a JSON integer (kopecks for RUB): 150000 for 1500.00. A string or a fraction is refused.',
});
export const Timestamp = Type.String({ format: 'date-time' });

/** A name in a map of labels ("main", "vk"): one line, 1 to 64 characters. */
export const Label = Type.String({ pattern: '^.{1,64}$' });

export const Tokens = named('SessionTokens', Type.Object({
  access: Type.String(),
  refresh: Type.String(),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires.' }),
}, { description: 'An access and a refresh token: send the access token as `Authorization: Bearer <access>`; exchange the refresh token at POST /api/v1/auth/token/refresh.' }));

/** What the API converts and what it takes as sent (OpenAPI description; src/api/validation.ts does it). */
export const INPUT_RULES = [
  'Input (every operation):',
  '- JSON bodies are taken as sent: no type is converted (`"10"` is not a number, `null` is accepted only where a field is nullable); money is an ' +
    'integer in minor units.',
  '- Query and path parameters are text on the wire: their numbers and booleans are converted; every number has bounds.',
  '- A field or parameter an operation does not name is refused (400, naming it); so is a NUL character or an unpaired surrogate in any text.',
  '- Ids are UUIDs in any case; they are stored and answered in lower case.',
].join('\n');
