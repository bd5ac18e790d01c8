// Personal data in events (names, phones, emails, birthdays, addresses,
// notes, free text) is written encrypted with its owner's key: a person's
// account, an organization's record of a client, a staff user. Destroying
// that key (erasure) leaves the log whole and its hash chain intact, and
// every personal field reads as ERASED from then on (docs/privacy.md).

/** What a personal field reads as once its key is destroyed. */
export const ERASED = '[erased]';

/**
 * Which of an event type's fields are personal and whose key protects them.
 * Every string inside a named field (nested objects, records and arrays
 * included) is encrypted on its own, so the data keeps its shape and its
 * schema after encryption and after erasure.
 */
export interface PersonalFields {
  /** The id of the key's owner (an account, a record, a user), from the event's own ids. */
  readonly owner: (data: Record<string, unknown>) => string;
  readonly fields: readonly string[];
}

export type PersonalDeclarations = Readonly<Record<string, PersonalFields>>;

/** Shorthand for the common case: the owner is one of the event's id fields. */
export const ownedBy = (idField: string, fields: readonly string[]): PersonalFields => ({ owner: (data) => String(data[idField]), fields });
