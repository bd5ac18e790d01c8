import Type from 'typebox';

// Shapes shared by several resources. Field names follow the seeds, unified
// (../shared/API.md): snake_case, phones in E.164, dates YYYY-MM-DD.

export const ErrorReply = Type.Object(
  {
    detail: Type.String(),
    errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
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
export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });

export const Tokens = Type.Object({
  access: Type.String(),
  refresh: Type.String(),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires.' }),
});
