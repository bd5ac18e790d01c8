import Type from 'typebox';

/** A value or null: JSON has no undefined, and events and replies say "none" explicitly. */
export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
