import { contactStreams, type ContactStreams } from '../../events/identity/contact.js';
import type { PersonalKeys } from '../../store/personal-keys.js';

// The secret of contact pseudonyms (src/events/identity/contact.ts) is the
// personal key of an internal owner that no person is: kept beside the other
// keys in the database, so every process on one database names a contact
// alike and the names survive restarts; nothing ever erases it.

export const CONTACT_INDEX_OWNER = 'contact-index';

/** The contact streams of this database, once per process at start. */
export async function openContactStreams(keys: PersonalKeys): Promise<ContactStreams> {
  const secret = await keys.forWriting(CONTACT_INDEX_OWNER);
  if (!secret) throw new Error(`the personal key of "${CONTACT_INDEX_OWNER}" was erased: contact streams cannot be named`);
  return contactStreams(secret);
}
